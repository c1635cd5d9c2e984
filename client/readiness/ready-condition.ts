/**
 * Any other kind, the kstatus way:
 * - the controller observed the latest generation, when it reports one;
 * - failed when the Stalled condition is True;
 * - with a Ready condition: ready when True, progressing otherwise;
 * - without one: ready as soon as it exists (ConfigMaps, RBAC, ... have nothing to wait for).
 */
import { conditionOf, describeCondition, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function readyConditionReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  const stalled = conditionOf(object, 'Stalled');
  if (stalled?.status === 'True') {
    return { state: 'failed', message: describeCondition(stalled) };
  }
  const ready = conditionOf(object, 'Ready');
  if (!ready || ready.status === 'True') {
    return READY;
  }
  return { state: 'progressing', message: describeCondition(ready) };
}
