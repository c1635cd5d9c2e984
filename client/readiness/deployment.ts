/**
 * Deployment, as `kubectl rollout status` decides:
 * - the controller observed the latest generation;
 * - failed when the Progressing condition's reason is ProgressDeadlineExceeded;
 * - progressing while updatedReplicas < spec.replicas, while old replicas are still terminating
 *   (status.replicas > updatedReplicas), or while availableReplicas < updatedReplicas;
 * - ready otherwise.
 */
import { conditionOf, describeCondition, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function deploymentReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object);
  if (pending) {
    return pending;
  }
  const progressing = conditionOf(object, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', message: describeCondition(progressing) };
  }
  const desired = (object.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const status = object.status as { replicas?: number; updatedReplicas?: number; availableReplicas?: number };
  const updated = status.updatedReplicas ?? 0;
  if (updated < desired) {
    return { state: 'progressing', message: `${updated} of ${desired} replicas updated` };
  }
  if ((status.replicas ?? 0) > updated) {
    return {
      state: 'progressing',
      message: `${(status.replicas ?? 0) - updated} old replicas pending termination`,
    };
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return {
      state: 'progressing',
      message: `${status.availableReplicas ?? 0} of ${updated} updated replicas available`,
    };
  }
  return READY;
}
