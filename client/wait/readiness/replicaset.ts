/**
 * ReplicaSet:
 * - the controller observed the latest generation;
 * - failed when the ReplicaFailure condition is True (pods cannot be created: quota, admission such as
 *   PodSecurity), with the controller's message;
 * - failed when one of its pods cannot start (see the Pod checker);
 * - progressing while availableReplicas < spec.replicas, saying why a pod is unscheduled;
 * - ready otherwise.
 */
import { failedWhen, progressing } from './generation.js';
import { podFailure, podUnscheduled } from './pod.js';
import type { LiveObject, OwnedObjects, Readiness, ReadinessChecker } from './types.js';

/** The ReplicaFailure condition (FailedCreate with the admission message), or undefined. */
export const replicaFailure = failedWhen('ReplicaFailure', 'True');

/** The first pod of `pods` that failed, else the first one the scheduler cannot place. */
export function podsProblem(pods: readonly LiveObject[]): Readiness | undefined {
  for (const check of [podFailure, podUnscheduled]) {
    for (const pod of pods) {
      const problem = check(pod);
      if (problem) {
        return {
          ...problem,
          message: `pod ${pod.metadata.name}: ${problem.message}`,
        };
      }
    }
  }
  return undefined;
}

export const POD_KIND = { apiVersion: 'v1', kind: 'Pod' } as const;

/**
 * While `count` of `desired` replicas are `what` (available, ready): failed when one of `pods` cannot
 * start, else progressing, saying why a pod is unscheduled.
 */
export function replicasBehind(
  count: number,
  desired: number,
  what: string,
  pods: readonly LiveObject[],
): Readiness | undefined {
  if (count >= desired) {
    return undefined;
  }
  const problem = podsProblem(pods);
  return problem?.state === 'failed'
    ? problem
    : progressing(`${count} of ${desired} replicas ${what}${problem ? ` (${problem.message})` : ''}`);
}

/** While fewer replicas are available than wanted: see replicasBehind. */
function replicasAvailable(replicaSet: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const desired = (replicaSet.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const available = (replicaSet.status as { availableReplicas?: number }).availableReplicas ?? 0;
  return replicasBehind(available, desired, 'available', owned.of('Pod'));
}

export const REPLICA_SET_READINESS: ReadinessChecker = {
  owns: [POD_KIND],
  conditions: [replicaFailure, replicasAvailable],
};
