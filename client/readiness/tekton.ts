/**
 * Tekton PipelineRun and TaskRun:
 * - ready when the Succeeded condition is True;
 * - failed when it is False (its reason says why: Failed, PipelineRunTimeout, Cancelled, ...);
 * - progressing while it is Unknown or missing (Running, Pending).
 */
import { conditionOf, describeCondition, failed, progressing } from './generation.js';
import type { ReadinessChecker } from './types.js';

export const TEKTON_RUN_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [
    (run) => {
      const succeeded = conditionOf(run, 'Succeeded');
      if (succeeded?.status === 'True') {
        return undefined;
      }
      if (succeeded?.status === 'False') {
        return failed(describeCondition(succeeded));
      }
      return progressing(succeeded ? describeCondition(succeeded) : 'waiting to start');
    },
  ],
};
