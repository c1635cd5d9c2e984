/**
 * Tekton PipelineRun and TaskRun:
 * - ready when the Succeeded condition is True;
 * - failed when it is False (its reason says why: Failed, PipelineRunTimeout, Cancelled, ...);
 * - progressing while it is Unknown or missing (Running, Pending).
 */
import { conditionOf, describeCondition, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function tektonRunReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  const succeeded = conditionOf(object, 'Succeeded');
  if (succeeded?.status === 'True') {
    return READY;
  }
  if (succeeded?.status === 'False') {
    return { state: 'failed', message: describeCondition(succeeded) };
  }
  return { state: 'progressing', message: succeeded ? describeCondition(succeeded) : 'waiting to start' };
}
