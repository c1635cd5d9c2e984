/** The revision a rollback returns to. */
import type { Revision } from './revision-secret.js';
import type { RevisionContent, RevisionHistory } from './revisions.js';
import { describeStable } from './workload-outcomes.js';

/**
 * Revision `toRevision` when given, else the newest healthy one before the latest (see lastGood); throws
 * naming the ApplySet and its `revisions` when there is none.
 */
export async function rollbackTarget(
  history: RevisionHistory,
  revisions: readonly Revision[],
  toRevision: number | undefined,
  { name, namespace }: { readonly name: string; readonly namespace: string },
): Promise<RevisionContent> {
  const target =
    toRevision === undefined
      ? await history.lastGood()
      : { number: toRevision, manifests: await history.manifests(toRevision) };
  if (target === undefined) {
    throw new Error(
      `ApplySet ${namespace}/${name} has no earlier healthy revision that can be read to roll back to (revisions: ${revisions.map((r) => `${r.number} ${r.status}`).join(', ') || 'none'}); name one with --to-revision`,
    );
  }
  return target;
}

/** The message of a rollback's revision: the revision it returns to, then what it did first (`notes`). */
export function rollbackMessage(target: RevisionContent, notes: readonly string[]): string {
  return [`rollback to revision ${target.number}${describeStable(target.workloads)}`, ...notes].join('; ');
}
