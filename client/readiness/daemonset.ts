/**
 * DaemonSet, as `kubectl rollout status` decides:
 * - the controller observed the latest generation;
 * - progressing while updatedNumberScheduled < desiredNumberScheduled, or numberAvailable <
 *   desiredNumberScheduled;
 * - ready otherwise.
 */
import { generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function daemonSetReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object);
  if (pending) {
    return pending;
  }
  const status = object.status as {
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
  const desired = status.desiredNumberScheduled ?? 0;
  if ((status.updatedNumberScheduled ?? 0) < desired) {
    return {
      state: 'progressing',
      message: `${status.updatedNumberScheduled ?? 0} of ${desired} pods updated`,
    };
  }
  if ((status.numberAvailable ?? 0) < desired) {
    return { state: 'progressing', message: `${status.numberAvailable ?? 0} of ${desired} pods available` };
  }
  return READY;
}
