/**
 * Deleting an app: every member, then the parent and the revisions, then the parent's Namespace when it
 * was a member and holds nothing else.
 */
import type { ApplyResult, ApplySteps } from './apply/apply.js';
import { applyChangeSet } from './apply/apply.js';
import type { ApplyContext } from './plan/apply-context.js';
import type { ChangeSet } from './plan/change-set.js';
import { foreignObjectsIn } from './plan/namespace-guard.js';
import type { RevisionHistory } from './record/revisions.js';

/** Deletes the app whose change set (of no manifests) is `changeSet`. */
export async function deleteApp(
  context: ApplyContext,
  history: RevisionHistory,
  changeSet: ChangeSet,
  steps: ApplySteps,
): Promise<ApplyResult> {
  const { applySet } = context;
  const result = await applyChangeSet(context, changeSet, steps);
  await history.removeAll();
  await applySet.deleteParent();
  // The Namespace kept for the parent's sake goes last, when it was a member and holds nothing else.
  const home = changeSet.kept.find((k) => k.ref === `Namespace/${applySet.namespace}`);
  if (!home || (await foreignObjectsIn(context, applySet.namespace, applySet.id)).length > 0) {
    return result;
  }
  await context.api.request({
    path: `/api/v1/namespaces/${encodeURIComponent(applySet.namespace)}`,
    method: 'DELETE',
  });
  return { ...result, pruned: [...result.pruned, home.ref] };
}
