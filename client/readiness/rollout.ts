/**
 * Argo Rollout, as the Argo Rollouts kubectl plugin computes its status (info.RolloutStatusString):
 * - Progressing while status.observedGeneration (a string) is behind metadata.generation;
 * - Degraded (failed) when a condition is InvalidSpec, or has the reason RolloutAborted or
 *   ProgressDeadlineExceeded;
 * - Paused when spec.paused is set or status.pauseConditions is not empty;
 * - Progressing while updatedReplicas < spec.replicas (default 1) or availableReplicas < updatedReplicas;
 * - blue-green: Progressing until status.blueGreen.activeSelector and then status.stableRS equal
 *   status.currentPodHash;
 * - canary: Progressing while status.replicas > updatedReplicas (old replicas terminating) or until
 *   status.stableRS equals status.currentPodHash (all steps done);
 * - Healthy (ready) otherwise.
 */
import { describeCondition } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

interface RolloutSpec {
  replicas?: number;
  paused?: boolean;
  strategy?: { blueGreen?: unknown; canary?: unknown };
}

interface RolloutStatus {
  observedGeneration?: string | number;
  pauseConditions?: { reason?: string }[];
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentPodHash?: string;
  stableRS?: string;
  blueGreen?: { activeSelector?: string };
}

const progressing = (message: string): Readiness => ({ state: 'progressing', phase: 'Progressing', message });

export function rolloutReadiness(object: LiveObject): Readiness {
  const status = (object.status ?? {}) as RolloutStatus;
  const generation = object.metadata.generation as number | undefined;
  const observed = Number(status.observedGeneration);
  // Old controllers wrote a hash here: a value that is not a number says nothing about the generation.
  if (
    status.observedGeneration === undefined ||
    (!Number.isNaN(observed) && generation !== undefined && observed < generation)
  ) {
    return progressing('waiting for rollout spec update to be observed');
  }
  for (const condition of object.status?.conditions ?? []) {
    if (
      condition.type === 'InvalidSpec' ||
      condition.reason === 'RolloutAborted' ||
      condition.reason === 'ProgressDeadlineExceeded'
    ) {
      return { state: 'failed', phase: 'Degraded', message: describeCondition(condition) };
    }
  }
  const spec = (object.spec ?? {}) as RolloutSpec;
  if (spec.paused) {
    return { state: 'progressing', phase: 'Paused', message: 'manually paused' };
  }
  if (status.pauseConditions && status.pauseConditions.length > 0) {
    return { state: 'progressing', phase: 'Paused', message: status.pauseConditions[0].reason ?? 'paused' };
  }
  const updated = status.updatedReplicas ?? 0;
  if (updated < (spec.replicas ?? 1)) {
    return progressing('more replicas need to be updated');
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return progressing('updated replicas are still becoming available');
  }
  const current = status.currentPodHash;
  if (spec.strategy?.blueGreen) {
    if (!status.blueGreen?.activeSelector || status.blueGreen.activeSelector !== current) {
      return progressing('active service cutover pending');
    }
    if (!status.stableRS || status.stableRS !== current) {
      return progressing('waiting for analysis to complete');
    }
  } else if (spec.strategy?.canary) {
    if ((status.replicas ?? 0) > updated) {
      return progressing('old replicas are pending termination');
    }
    if (!status.stableRS || status.stableRS !== current) {
      return progressing('waiting for all steps to complete');
    }
  }
  return { state: 'ready', phase: 'Healthy', message: 'healthy' };
}
