/**
 * Any other kind, the kstatus way:
 * - the controller observed the latest generation, when it reports one;
 * - failed when the Stalled condition is True;
 * - with a Ready condition: ready when True, progressing otherwise;
 * - without one: ready as soon as it exists (ConfigMaps, RBAC, ... have nothing to wait for).
 */
import { conditionOf, describeCondition, failedWhen, progressing } from './generation.js';
import type { ReadinessChecker } from './types.js';

export const READY_CONDITION_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [
    failedWhen('Stalled', 'True'),
    (object) => {
      const ready = conditionOf(object, 'Ready');
      return !ready || ready.status === 'True' ? undefined : progressing(describeCondition(ready));
    },
  ],
};
