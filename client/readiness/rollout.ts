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
import type { LiveObject, Readiness, ReadinessChecker } from './types.js';

interface RolloutSpec {
  replicas?: number;
  paused?: boolean;
  strategy?: { blueGreen?: unknown; canary?: unknown };
}

interface RolloutStatus {
  pauseConditions?: { reason?: string }[];
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentPodHash?: string;
  stableRS?: string;
  blueGreen?: { activeSelector?: string };
}

const progressing = (message: string): Readiness => ({ state: 'progressing', phase: 'Progressing', message });
const specOf = (rollout: LiveObject) => (rollout.spec ?? {}) as RolloutSpec;
const statusOf = (rollout: LiveObject) => (rollout.status ?? {}) as RolloutStatus;

export const ROLLOUT_READINESS: ReadinessChecker = {
  pending: progressing('waiting for rollout spec update to be observed'),
  conditions: [
    (rollout) => {
      const condition = (rollout.status?.conditions ?? []).find(
        (c) =>
          c.type === 'InvalidSpec' ||
          c.reason === 'RolloutAborted' ||
          c.reason === 'ProgressDeadlineExceeded',
      );
      return condition
        ? { state: 'failed', phase: 'Degraded', message: describeCondition(condition) }
        : undefined;
    },
    (rollout) =>
      specOf(rollout).paused
        ? { state: 'progressing', phase: 'Paused', message: 'manually paused' }
        : undefined,
    (rollout) => {
      const pauses = statusOf(rollout).pauseConditions ?? [];
      return pauses.length > 0
        ? { state: 'progressing', phase: 'Paused', message: pauses[0].reason ?? 'paused' }
        : undefined;
    },
    (rollout) =>
      (statusOf(rollout).updatedReplicas ?? 0) < (specOf(rollout).replicas ?? 1)
        ? progressing('more replicas need to be updated')
        : undefined,
    (rollout) => {
      const status = statusOf(rollout);
      return (status.availableReplicas ?? 0) < (status.updatedReplicas ?? 0)
        ? progressing('updated replicas are still becoming available')
        : undefined;
    },
    (rollout) => {
      const status = statusOf(rollout);
      const current = status.currentPodHash;
      const strategy = specOf(rollout).strategy;
      if (strategy?.blueGreen) {
        if (!status.blueGreen?.activeSelector || status.blueGreen.activeSelector !== current) {
          return progressing('active service cutover pending');
        }
        if (!status.stableRS || status.stableRS !== current) {
          return progressing('waiting for analysis to complete');
        }
      } else if (strategy?.canary) {
        if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
          return progressing('old replicas are pending termination');
        }
        if (!status.stableRS || status.stableRS !== current) {
          return progressing('waiting for all steps to complete');
        }
      }
      return { state: 'ready', phase: 'Healthy', message: 'healthy' };
    },
  ],
};
