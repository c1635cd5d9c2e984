/**
 * CustomResourceDefinition:
 * - ready when the Established condition is True (the API server serves the kind);
 * - failed when NamesAccepted is False (its names clash with another CRD's);
 * - progressing otherwise.
 */
import { conditionOf, failedWhen, progressing } from './generation.js';
import type { ReadinessChecker } from './types.js';

export const CRD_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [
    failedWhen('NamesAccepted', 'False'),
    (crd) =>
      conditionOf(crd, 'Established')?.status === 'True'
        ? undefined
        : progressing('waiting to be Established'),
  ],
};
