/**
 * Sending a blue/green's traffic back to its stable pods before a rollback. After the switch, while its
 * post-promotion analysis runs, a blue/green serves users from its new pods and keeps the stable ones
 * standing by. Applying the stable version's template then leaves the active Service on the new pods:
 * the controller takes a rollout whose current pods are the stable ones for fully promoted, and never
 * switches back (argoproj/argo-rollouts#3304, #4294); the rollout stays "active service cutover pending"
 * until its progress deadline. Aborting it first makes the controller switch the active Service to the
 * stable pods (they are kept at full size until the new ones become stable); once it has, the rollback
 * is applied, and the controller, seeing its current pods are the stable ones, clears the abort.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InterruptedError } from '../errors.js';
import type { Change } from '../plan/change-set.js';
import type { ApiClient } from '../transport/api-client.js';
import { groupOf } from '../transport/resources.js';
import { operateRollout } from './rollout-operations.js';

interface BlueGreenRollout {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: { readonly strategy?: { readonly blueGreen?: object } };
  readonly status?: { readonly stableRS?: string; readonly blueGreen?: { readonly activeSelector?: string } };
}

/** How long the controller may take to switch back: the stable pods are running, so it is one reconcile. */
const SWITCH_BACK_MS = 60_000;
const POLL_MS = 250;

const pathOf = (namespace: string, name: string) =>
  `/apis/argoproj.io/v1alpha1/namespaces/${encodeURIComponent(namespace)}/rollouts/${encodeURIComponent(name)}`;

/** Whether the active Service selects other pods than the stable ones (switched, not yet stable). */
const activeIsNotStable = (rollout: BlueGreenRollout) => {
  const { stableRS, blueGreen } = rollout.status ?? {};
  return (
    rollout.spec.strategy?.blueGreen !== undefined &&
    !!stableRS &&
    !!blueGreen?.activeSelector &&
    blueGreen.activeSelector !== stableRS
  );
};

/**
 * Aborts every blue/green Rollout whose pods the change set changes and whose active Service selects
 * pods that are not yet stable, and waits until the controller has switched each back to its stable pods.
 * Returns the Rollouts it aborted (`Kind/namespace/name`).
 */
export async function returnBlueGreensToStable(
  api: ApiClient,
  changes: readonly Change[],
  signal?: AbortSignal,
): Promise<string[]> {
  const returned: string[] = [];
  for (const change of rolloutsWithNewPods(changes)) {
    const { name, namespace } = change.live!.metadata as { name: string; namespace: string };
    if (activeIsNotStable(await api.request<BlueGreenRollout>({ path: pathOf(namespace, name) }))) {
      await operateRollout(api, 'abort', { namespace, name });
      returned.push(change.ref);
    }
  }
  for (const ref of returned) {
    await untilActiveIsStable(api, ref, signal);
  }
  return returned;
}

/**
 * The live Rollouts whose pods the change set changes: the Rollout's own template, or the Deployment
 * its `workloadRef` names (as the library's Rollouts do).
 */
function rolloutsWithNewPods(changes: readonly Change[]): Change[] {
  const updated = new Set(changes.filter((c) => c.operation === 'update').map((c) => c.ref));
  return changes.filter((c) => {
    if (c.live?.kind !== 'Rollout' || groupOf(c.live.apiVersion) !== 'argoproj.io') {
      return false;
    }
    const { workloadRef } = (c.desired ?? c.live).spec as { workloadRef?: { kind?: string; name?: string } };
    const workload = workloadRef && `${workloadRef.kind}/${c.live.metadata.namespace}/${workloadRef.name}`;
    return updated.has(c.ref) || (workload !== undefined && updated.has(workload));
  });
}

/** How the revision's message says it. */
export const describeReturned = (ref: string): string =>
  `${ref} aborted first, which sent its traffic back to its stable pods`;

async function untilActiveIsStable(api: ApiClient, ref: string, signal?: AbortSignal) {
  const [, namespace, name] = ref.split('/');
  const deadline = Date.now() + SWITCH_BACK_MS;
  for (;;) {
    const rollout = await api.request<BlueGreenRollout>({ path: pathOf(namespace, name) });
    if (!activeIsNotStable(rollout)) {
      return;
    }
    if (signal?.aborted) {
      throw new InterruptedError(`waiting for ${ref} to switch back to its stable pods`);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${ref}: aborted so that its active Service goes back to the stable pods (${rollout.status!.stableRS}) before the rollback, but it still selects ${rollout.status!.blueGreen!.activeSelector} after ${SWITCH_BACK_MS / 1000}s: is the Argo Rollouts controller running? nothing was rolled back yet; \`cdk8s-devops status\` shows what the controller says`,
      );
    }
    await sleep(POLL_MS);
  }
}
