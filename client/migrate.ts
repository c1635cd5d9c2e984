/**
 * Moving a release to another ApplySet name (for apps applied when the name came from the folder): every
 * member relabelled, the revisions moved, this parent written and the old one deleted. Nothing is applied
 * or deleted in the app itself.
 */
import { APPLYSET_LABELS, ApplySet } from './plan/applyset.js';
import type { ApplyContext } from './plan/apply-context.js';
import { RevisionHistory } from './record/revisions.js';
import { acquireLock } from './release-lock.js';
import type { MigrateResult } from './release-options.js';
import { CONTENT_TYPES } from './transport/api-client.js';

/** The ApplySet `from` in `namespace` to migrate from; throws when it is the release's own. */
export function migrationSource(context: ApplyContext, from: string, namespace: string): ApplySet {
  const { api, catalog, fieldManager, applySet } = context;
  const old = new ApplySet(api, catalog, { name: from, namespace, fieldManager });
  if (old.id === applySet.id) {
    throw new Error(`ApplySet ${from} in ${namespace} is the one named already: nothing to migrate`);
  }
  return old;
}

/** Migrates the release from `old`, holding old's lock too (the caller holds the release's). */
export async function migrate(
  context: ApplyContext,
  history: RevisionHistory,
  old: ApplySet,
): Promise<MigrateResult> {
  const { api, catalog, applySet } = context;
  const oldLock = await acquireLock(api, old, 'migrate');
  try {
    const scope = await old.readScope();
    if (!scope) {
      throw new Error(`there is no ApplySet ${old.name} in namespace ${old.namespace} to migrate from`);
    }
    if (await applySet.readScope()) {
      throw new Error(
        `ApplySet ${applySet.name} in namespace ${applySet.namespace} exists already: migrate only into a new name`,
      );
    }
    // The new parent first records the scope, so that an interrupted migration can be run again.
    await applySet.writeScope(scope);
    const members = await old.listMembers(scope);
    for (const member of members) {
      await api.request({
        path: await catalog.pathOf(member),
        method: 'PATCH',
        contentType: CONTENT_TYPES.merge,
        body: { metadata: { labels: { [APPLYSET_LABELS.partOf]: applySet.id } } },
      });
    }
    await oldLock.assertHeld('moving the revisions');
    const revisions = await history.moveFrom(new RevisionHistory(api, old));
    await old.deleteParent();
    return { members: members.length, revisions };
  } finally {
    await oldLock.release();
  }
}
