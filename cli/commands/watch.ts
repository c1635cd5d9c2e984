/** `watch`: wait until every object is ready, with live progress and the objects' Events. */
import type { Command } from 'commander';
import { identityOf } from '../../client/transport/resources.js';
import type { CliIo } from '../io.js';
import { ExitCode } from '../io.js';
import type { ConnectionFlags, SourceFlags } from '../options.js';
import { connect, durationOption, loadSources, withConnection, withSources } from '../options.js';
import { printJson } from '../output.js';
import type { WaitFlags } from '../wait.js';
import { waitExitCode, watchAndReport } from '../wait.js';

export function registerWatch(program: Command, io: CliIo): void {
  withSources(
    withConnection(
      program.command('watch').description('wait until every object is ready, showing progress and events'),
    ),
  )
    .addOption(durationOption('--timeout <duration>', 'how long to wait for everything', '5m'))
    .addOption(durationOption('--object-timeout <duration>', 'how long to wait for any one object'))
    .action(async (paths: string[], flags: ConnectionFlags & SourceFlags & WaitFlags) => {
      // Only what names each object: it is judged by its live version.
      const objects = await loadSources(io, paths, flags, identityOf);
      const result = await watchAndReport(io, connect(io, flags), objects, flags, { announce: true });
      if (flags.output === 'json') {
        printJson(io, result);
      }
      throw new ExitCode(waitExitCode(result));
    });
}
