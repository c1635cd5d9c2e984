/**
 * CustomResourceDefinition:
 * - ready when the Established condition is True (the API server serves the kind);
 * - failed when NamesAccepted is False (its names clash with another CRD's);
 * - progressing otherwise.
 */
import { conditionOf, describeCondition, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function crdReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  const names = conditionOf(object, 'NamesAccepted');
  if (names?.status === 'False') {
    return { state: 'failed', message: describeCondition(names) };
  }
  return conditionOf(object, 'Established')?.status === 'True'
    ? READY
    : { state: 'progressing', message: 'waiting to be Established' };
}
