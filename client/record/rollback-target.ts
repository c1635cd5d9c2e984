/** The revision a rollback returns to. */
import type { Revision } from './revision-secret.js';
import type { RevisionContent, RevisionHistory } from './revisions.js';

/**
 * Revision `toRevision` when given, else the newest healthy one before the latest (see lastGood); throws
 * naming the ApplySet (`where`) and its `revisions` when there is none.
 */
export async function rollbackTarget(
  history: RevisionHistory,
  revisions: readonly Revision[],
  toRevision: number | undefined,
  where: string,
): Promise<RevisionContent> {
  const target =
    toRevision === undefined
      ? await history.lastGood()
      : { number: toRevision, manifests: await history.manifests(toRevision) };
  if (target === undefined) {
    throw new Error(
      `ApplySet ${where} has no earlier healthy revision that can be read to roll back to (revisions: ${revisions.map((r) => `${r.number} ${r.status}`).join(', ') || 'none'}); name one with --to-revision`,
    );
  }
  return target;
}
