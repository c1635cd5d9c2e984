/**
 * Any other kind, the kstatus way:
 * - the controller observed the latest generation, when it reports one;
 * - failed when the Stalled condition is True;
 * - with a Ready condition: ready when True, progressing otherwise;
 * - without one: ready as soon as it exists (ConfigMaps, RBAC, ... have nothing to wait for).
 */
import { conditionOf, describeCondition, failedWhen, progressing } from './generation.js';
import type { LiveObject, Readiness, ReadinessChecker } from './types.js';

/** Failed when Stalled is True: its controller gave up. */
const notStalled = failedWhen('Stalled', 'True');

/** Progressing while a Ready condition is there and not True; an object without one has nothing to wait for. */
function readyWhenReported(object: LiveObject): Readiness | undefined {
  const ready = conditionOf(object, 'Ready');
  return !ready || ready.status === 'True' ? undefined : progressing(describeCondition(ready));
}

export const READY_CONDITION_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [notStalled, readyWhenReported],
};
