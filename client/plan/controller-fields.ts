/**
 * Fields a controller takes over once the client has created an object, which the client then leaves
 * to it, never taking them back (not even with --force-conflicts). Argo Rollouts adds
 * `rollouts-pod-template-hash` to the selector of every Service a Rollout switches between versions
 * (blue/green active and preview, canary stable and canary), and marks those Services with the
 * annotation below. A selector is an atomic map: applying ours would conflict with the controller, and
 * forcing it would drop the hash and send all traffic to every version at once, skipping the analyses.
 */
import type { Manifest } from '../transport/resources.js';

export const ROLLOUTS_MANAGED_BY_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';

/** The desired object without the fields the live object's controller owns. */
export function withoutControllerFields(desired: Manifest, live: Manifest | undefined): Manifest {
  if (
    desired.apiVersion !== 'v1' ||
    desired.kind !== 'Service' ||
    !live?.metadata.annotations?.[ROLLOUTS_MANAGED_BY_ANNOTATION]
  ) {
    return desired;
  }
  const { selector: _controllerOwned, ...spec } = (desired.spec ?? {}) as Record<string, unknown>;
  return { ...desired, spec };
}
