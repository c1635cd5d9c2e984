/**
 * Tekton PipelineRun and TaskRun:
 * - ready when the Succeeded condition is True;
 * - failed when it is False (its reason says why: Failed, PipelineRunTimeout, Cancelled, ...);
 * - progressing while it is Unknown or missing (Running, Pending).
 */
import type { ApiClient } from '../api-client.js';
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

/**
 * What a failed PipelineRun's own condition leaves out: which task failed, and the failed TaskRun's
 * message, which names the step (`"step-build" exited with code 1`). Read from its TaskRuns.
 */
export async function failedPipelineRunDetail(api: ApiClient, run: LiveObject): Promise<string | undefined> {
  const { namespace, name } = run.metadata;
  const taskRuns = await api.request<{ items: LiveObject[] }>({
    path: `/apis/tekton.dev/v1/namespaces/${namespace}/taskruns`,
    query: { labelSelector: `tekton.dev/pipelineRun=${name}` },
  });
  const failed = taskRuns.items
    .map((t) => ({
      task: t.metadata.labels?.['tekton.dev/pipelineTask'] ?? t.metadata.name,
      condition: conditionOf(t, 'Succeeded'),
    }))
    .filter((t) => t.condition?.status === 'False')
    .sort((a, b) => a.task.localeCompare(b.task));
  return failed.length > 0
    ? failed.map((t) => `task ${t.task} failed: ${t.condition!.message ?? t.condition!.reason}`).join('; ')
    : undefined;
}
