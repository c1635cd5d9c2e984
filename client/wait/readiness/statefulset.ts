/**
 * StatefulSet, as `kubectl rollout status` decides:
 * - the controller observed the latest generation;
 * - with the OnDelete update strategy, ready once observed (pods update only when deleted);
 * - failed when one of its pods cannot start (see the Pod checker), with the reason;
 * - progressing while readyReplicas < spec.replicas, saying why a pod is unscheduled (a claim that no
 *   volume binds, for one);
 * - with a partitioned rolling update, progressing while updatedReplicas < spec.replicas - partition;
 * - otherwise progressing until updateRevision equals currentRevision.
 */
import { progressing, READY } from './generation.js';
import { POD_KIND, replicasBehind } from './replicaset.js';
import type { LiveObject, OwnedObjects, Readiness, ReadinessChecker } from './types.js';

interface StatefulSetSpec {
  replicas?: number;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
}

interface StatefulSetStatus {
  readyReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
}

const specOf = (object: LiveObject) => (object.spec ?? {}) as StatefulSetSpec;
const statusOf = (object: LiveObject) => object.status as StatefulSetStatus;

/** Ready once observed under the OnDelete update strategy: pods update only when deleted. */
function updatedOnDelete(statefulSet: LiveObject): Readiness | undefined {
  return specOf(statefulSet).updateStrategy?.type === 'OnDelete' ? READY : undefined;
}

/**
 * While fewer replicas are ready than wanted: failed when one of its pods cannot start, else progressing,
 * saying why a pod is unscheduled (a claim that no volume binds, for one).
 */
function replicasReady(statefulSet: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const desired = specOf(statefulSet).replicas ?? 1;
  const ready = statusOf(statefulSet).readyReplicas ?? 0;
  return replicasBehind(ready, desired, 'ready', owned.of('Pod'));
}

/** With a partitioned rolling update: progressing until the replicas above the partition are updated, then ready. */
function partitionUpdated(statefulSet: LiveObject): Readiness | undefined {
  const spec = specOf(statefulSet);
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition <= 0) {
    return undefined;
  }
  const expected = (spec.replicas ?? 1) - partition;
  const updated = statusOf(statefulSet).updatedReplicas ?? 0;
  return updated < expected ? progressing(`${updated} of ${expected} partitioned replicas updated`) : READY;
}

/** Progressing until the update revision is the current one. */
function revisionRolledOut(statefulSet: LiveObject): Readiness | undefined {
  const status = statusOf(statefulSet);
  return status.updateRevision !== status.currentRevision
    ? progressing(`waiting for revision ${status.updateRevision} to roll out`)
    : undefined;
}

export const STATEFUL_SET_READINESS: ReadinessChecker = {
  owns: [POD_KIND],
  conditions: [updatedOnDelete, replicasReady, partitionUpdated, revisionRolledOut],
};
