/**
 * Tekton PipelineRun and TaskRun:
 * - ready when the Succeeded condition is True;
 * - failed when it is False (its reason says why: Failed, PipelineRunTimeout, Cancelled, ...); a
 *   PipelineRun's message also names each failed task and what its TaskRun says (the step that failed);
 * - progressing while it is Unknown or missing (Running, Pending).
 */
import { conditionOf, describeCondition, failed, progressing } from './generation.js';
import type { OwnedObjects, ReadinessChecker, ReadinessCondition } from './types.js';

/** Ready when Succeeded is True, failed (with `failureDetail`) when False, else progressing. */
function runCondition(failureDetail: (owned: OwnedObjects) => string): ReadinessCondition {
  return (run, owned) => {
    const succeeded = conditionOf(run, 'Succeeded');
    if (succeeded?.status === 'True') {
      return undefined;
    }
    if (succeeded?.status === 'False') {
      return failed(describeCondition(succeeded) + failureDetail(owned));
    }
    return progressing(succeeded ? describeCondition(succeeded) : 'waiting to start');
  };
}

/** `; task build failed: "step-build" exited with code 1: Error` for each failed TaskRun of the run. */
function failedTasks(owned: OwnedObjects): string {
  return owned
    .of('TaskRun')
    .map((t) => ({
      task: t.metadata.labels?.['tekton.dev/pipelineTask'] ?? t.metadata.name,
      succeeded: conditionOf(t, 'Succeeded'),
    }))
    .filter((t) => t.succeeded?.status === 'False')
    .sort((a, b) => a.task.localeCompare(b.task))
    .map((t) => `; task ${t.task} failed: ${t.succeeded!.message ?? t.succeeded!.reason}`)
    .join('');
}

/** A TaskRun's Succeeded condition decides. */
const taskRunSucceeded = runCondition(() => '');

/** A PipelineRun's Succeeded condition decides; a failure names each failed task. */
const pipelineRunSucceeded = runCondition(failedTasks);

export const TEKTON_RUN_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [taskRunSucceeded],
};

export const PIPELINE_RUN_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  owns: [{ apiVersion: 'tekton.dev/v1', kind: 'TaskRun' }],
  conditions: [pipelineRunSucceeded],
};
