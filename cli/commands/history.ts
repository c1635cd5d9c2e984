/** `history`: the recorded revisions. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, withConnection } from '../options.js';
import { describeOutcomes } from '../../client/index.js';
import { printJson, printTable } from '../output.js';

export function registerHistory(program: Command, io: CliIo): void {
  withConnection(program.command('history').description('list the recorded revisions')).action(
    async (flags: ConnectionFlags) => {
      const release = connect(io, flags);
      const revisions = await release.history.list();
      if (revisions.length === 0) {
        // kubectl's answer to a name that is not there: an error, exit 1.
        await release.assertExists();
      }
      if (flags.output === 'json') {
        printJson(io, revisions);
        return;
      }
      printTable(
        io,
        ['REVISION', 'TIME', 'STATUS', 'USER', 'OBJECTS', 'MESSAGE'],
        revisions.map((r) => [
          String(r.number),
          r.time,
          r.workloads ? `${r.status}: ${describeOutcomes(r.workloads)}` : r.status,
          r.user,
          r.objects < 0 ? 'unreadable' : String(r.objects),
          r.message,
        ]),
      );
    },
  );
}
