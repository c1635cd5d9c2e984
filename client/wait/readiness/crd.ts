/**
 * CustomResourceDefinition:
 * - failed when NamesAccepted is False (its names clash with another CRD's);
 * - progressing until the Established condition is True (the API server serves the kind);
 * - ready otherwise.
 */
import { conditionOf, failedWhen, progressing } from './generation.js';
import type { LiveObject, Readiness, ReadinessChecker } from './types.js';

/** Failed when NamesAccepted is False: its names clash with another CRD's. */
const namesAccepted = failedWhen('NamesAccepted', 'False');

/** Progressing until Established is True: the API server serves the kind. */
function established(crd: LiveObject): Readiness | undefined {
  return conditionOf(crd, 'Established')?.status === 'True'
    ? undefined
    : progressing('waiting to be Established');
}

export const CRD_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [namesAccepted, established],
};
