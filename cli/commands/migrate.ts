/**
 * `migrate --from <old>`: moves an app applied under another ApplySet name (before the name came from
 * package.json, it came from the folder's name) to the one this project names, members and history
 * included, without applying or deleting anything in the app.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, withConnection } from '../options.js';
import { printJson } from '../output.js';

export function registerMigrate(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('migrate')
      .description('move the app, its members and revisions, from another ApplySet name to this one'),
  )
    .requiredOption('--from <name>', 'the ApplySet name the app was applied under (the old folder name)')
    .option('--from-namespace <name>', "the old ApplySet's namespace (default: the new one's)")
    .action(async (flags: ConnectionFlags & { from: string; fromNamespace?: string }) => {
      const release = connect(io, flags);
      const result = await release.migrateFrom(flags.from, flags.fromNamespace);
      if (flags.output === 'json') {
        printJson(io, result);
      } else {
        io.stdout.write(
          `migrated ${result.members} objects and ${result.revisions} revisions from ApplySet ${flags.from} to ${release.applySet.name}\n`,
        );
      }
    });
}
