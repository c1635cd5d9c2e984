/**
 * StatefulSet, as `kubectl rollout status` decides:
 * - the controller observed the latest generation;
 * - with the OnDelete update strategy, ready once observed (pods update only when deleted);
 * - progressing while readyReplicas < spec.replicas;
 * - with a partitioned rolling update, progressing while updatedReplicas < spec.replicas - partition;
 * - otherwise progressing until updateRevision equals currentRevision.
 */
import { generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

interface StatefulSetSpec {
  replicas?: number;
  updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
}

export function statefulSetReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object);
  if (pending) {
    return pending;
  }
  const spec = (object.spec ?? {}) as StatefulSetSpec;
  if (spec.updateStrategy?.type === 'OnDelete') {
    return READY;
  }
  const status = object.status as {
    readyReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
  const desired = spec.replicas ?? 1;
  if ((status.readyReplicas ?? 0) < desired) {
    return { state: 'progressing', message: `${status.readyReplicas ?? 0} of ${desired} replicas ready` };
  }
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const expected = desired - partition;
    return (status.updatedReplicas ?? 0) < expected
      ? {
          state: 'progressing',
          message: `${status.updatedReplicas ?? 0} of ${expected} partitioned replicas updated`,
        }
      : READY;
  }
  if (status.updateRevision !== status.currentRevision) {
    return { state: 'progressing', message: `waiting for revision ${status.updateRevision} to roll out` };
  }
  return READY;
}
