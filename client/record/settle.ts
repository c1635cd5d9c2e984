/**
 * A revision's status once its wait ended: deployed (and the one deployed before it superseded), or
 * failed with its workloads' outcomes.
 */
import { firstLine } from '../errors.js';
import type { ChangeSet } from '../plan/change-set.js';
import type { WaitResult } from '../wait/object-status.js';
import type { Revision } from './revision-secret.js';
import type { RevisionHistory } from './revisions.js';
import { changedObjects, workloadOutcomes } from './workload-outcomes.js';

/**
 * As Helm does: the revision is deployed, and the one deployed before it superseded; `revisions` when the
 * caller has just listed them (recording lists them), else they are listed.
 */
export async function markDeployed(
  history: RevisionHistory,
  number: number,
  revisions?: readonly Revision[],
): Promise<void> {
  for (const revision of revisions ?? (await history.list())) {
    if (revision.number === number && revision.status !== 'deployed') {
      await history.setStatus(number, 'deployed');
    } else if (revision.number !== number && revision.status === 'deployed') {
      await history.setStatus(revision.number, 'superseded');
    }
  }
}

/**
 * Marks the revision failed with its workloads' outcomes: which became ready (promoted) and which
 * stayed at, or an Argo Rollouts controller aborted back to, the version stable before. When the
 * revisions cannot be listed, it is marked failed without them, and `warn` says so.
 */
export async function markFailedWait(
  history: RevisionHistory,
  number: number,
  changeSet: ChangeSet,
  waited: WaitResult,
  warn: (text: string) => void,
): Promise<void> {
  let revisions: Revision[];
  try {
    revisions = await history.list();
  } catch (error) {
    // Without the revision before, the outcomes cannot be told; the revision is still failed, not pending.
    warn(
      `revision ${number} is marked failed without its workloads' outcomes: the revisions could not be listed: ${firstLine(error)}`,
    );
    await history.setStatus(number, 'failed');
    return;
  }
  const before = revisions.filter((r) => r.number < number).at(-1);
  const { changed, created } = changedObjects(changeSet.changes);
  const previous = before && {
    number: before.number,
    healthy: before.status === 'deployed' || before.status === 'superseded',
    workloads: before.workloads,
  };
  const workloads = workloadOutcomes(waited.objects, changed, created, previous);
  await history.setStatus(number, 'failed', workloads);
}

/**
 * The revision `number` as history has it, marked failed when it is still `pending` (its wait was cut
 * short by an interrupt).
 */
export async function failIfPending(history: RevisionHistory, number: number): Promise<Revision | undefined> {
  const revision = (await history.list()).find((r) => r.number === number);
  if (revision?.status !== 'pending') {
    return revision;
  }
  await history.setStatus(revision.number, 'failed');
  return { ...revision, status: 'failed' };
}
