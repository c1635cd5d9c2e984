/** `status`: whether each object is ready now; exits 2 when some are not yet. */
import type { Command } from 'commander';
import { describeEvent } from '../../client/index.js';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { ConnectionFlags, SourceFlags } from '../options.js';
import { connect, loadSources, withConnection, withSources } from '../options.js';
import { printJson, printTable } from '../output.js';
import { describeReadiness } from '../progress.js';

export function registerStatus(program: Command, io: CliIo): void {
  withSources(
    withConnection(program.command('status').description('show whether each object is ready now')),
  ).action(async (paths: string[], flags: ConnectionFlags & SourceFlags) => {
    const statuses = await connect(io, flags).status(await loadSources(io, paths, flags));
    if (flags.output === 'json') {
      printJson(io, statuses);
    } else {
      printTable(
        io,
        ['OBJECT', 'STATUS'],
        statuses.map((s) => [
          s.ref,
          `${describeReadiness(s.readiness)}${s.lastWarning ? `; last warning: ${describeEvent(s.lastWarning)}` : ''}`,
        ]),
      );
    }
    const states = statuses.map((s) => s.readiness.state);
    throw new ExitCode(
      states.includes('failed') ? EXIT.failed : states.every((s) => s === 'ready') ? EXIT.ok : EXIT.timedOut,
    );
  });
}
