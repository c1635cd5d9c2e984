/**
 * ReplicaSet:
 * - the controller observed the latest generation;
 * - failed when the ReplicaFailure condition is True (pods cannot be created: quota, admission);
 * - progressing while availableReplicas < spec.replicas;
 * - ready otherwise.
 */
import { conditionOf, describeCondition, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function replicaSetReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object);
  if (pending) {
    return pending;
  }
  const failure = conditionOf(object, 'ReplicaFailure');
  if (failure?.status === 'True') {
    return { state: 'failed', message: describeCondition(failure) };
  }
  const desired = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const available = (object.status as { availableReplicas?: number }).availableReplicas ?? 0;
  return available < desired
    ? { state: 'progressing', message: `${available} of ${desired} replicas available` }
    : READY;
}
