/**
 * `delete`: the explicit deletion that an empty manifest set never is. It lists every member it will
 * delete, asks (or needs --yes), deletes them, then the ApplySet's parent and revisions, as
 * `helm uninstall` removes a release and its history.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, withConnection } from '../options.js';
import { confirm, printChangeSet, printJson } from '../output.js';

export function registerDelete(program: Command, io: CliIo): void {
  withConnection(
    program.command('delete').description('delete every object of the app, then its ApplySet and revisions'),
  )
    .option('-y, --yes', 'delete without asking (required when stdin is not a terminal)')
    .action(async (flags: ConnectionFlags & { yes?: boolean }) => {
      const release = connect(io, flags);
      const result = await release.delete(async (changeSet) => {
        if (flags.output === 'text') {
          printChangeSet(io, changeSet, false, release.applySet.namespace);
        }
        if (flags.yes) {
          return true;
        }
        if (!io.stdin.isTTY) {
          throw new Error(
            'nothing deleted: stdin is not a terminal, so there is no one to confirm; pass --yes',
          );
        }
        return confirm(io, `Delete these objects, ApplySet ${release.applySet.name} and its revisions?`);
      });
      if (!result) {
        io.stderr.write('nothing deleted\n');
        throw new ExitCode(EXIT.failed);
      }
      if (flags.output === 'json') {
        printJson(io, { pruned: result.pruned });
      } else {
        io.stdout.write(
          `deleted ${result.pruned.length} objects, the ApplySet ${release.applySet.name} and its revisions\n`,
        );
      }
    });
}
