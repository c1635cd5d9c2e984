/**
 * Job (Jobs have no observedGeneration: their spec is immutable once running, so it is checked only if present):
 * - ready when the Complete condition is True;
 * - failed when the Failed condition is True (BackoffLimitExceeded, DeadlineExceeded, ...);
 * - progressing otherwise.
 */
import { conditionOf, describeCondition, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function jobReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  if (conditionOf(object, 'Complete')?.status === 'True') {
    return READY;
  }
  const failed = conditionOf(object, 'Failed');
  if (failed?.status === 'True') {
    return { state: 'failed', message: describeCondition(failed) };
  }
  const status = object.status as { active?: number; succeeded?: number } | undefined;
  return {
    state: 'progressing',
    message: `${status?.active ?? 0} active, ${status?.succeeded ?? 0} succeeded`,
  };
}
