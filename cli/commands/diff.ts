/** `diff`: the change set, what apply would create, update and delete; exits 1 when there are changes. */
import type { Command } from 'commander';
import { hasChanges } from '../../client/index.js';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { ConnectionFlags, SourceFlags } from '../options.js';
import { connect, loadSources, withConnection, withSources } from '../options.js';
import { changeSetJson, printChangeSet, printJson } from '../output.js';

type DiffFlags = ConnectionFlags &
  SourceFlags & { prune: boolean; adopt?: boolean; forceConflicts?: boolean; gitops?: boolean };

export function registerDiff(program: Command, io: CliIo): void {
  withSources(
    withConnection(
      program.command('diff').description('show the change set: what apply would create, update and delete'),
    ),
  )
    .option('--no-prune', 'leave out deletions of objects that left the app')
    .option(
      '--force-conflicts',
      'show fields that another field manager owns as apply --force-conflicts would take them',
    )
    .option('--adopt', 'show objects of another ApplySet as apply --adopt would take them')
    .option(
      '--gitops',
      'compare with the objects as the GitOps engine applies them (no ApplySet label, no pruning): drift from the repository',
    )
    .action(async (paths: string[], flags: DiffFlags) => {
      const release = connect(io, flags);
      const changeSet = await release.changeSet(await loadSources(io, paths, flags), {
        prune: flags.prune,
        adopt: flags.adopt,
        forceConflicts: flags.forceConflicts,
        gitops: flags.gitops,
      });
      if (flags.output === 'json') {
        printJson(io, { ...changeSetJson(changeSet), warnings: release.warnings });
      } else {
        printChangeSet(io, changeSet, true);
      }
      throw new ExitCode(hasChanges(changeSet) ? EXIT.diffChanges : EXIT.ok);
    });
}
