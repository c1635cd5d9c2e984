/** `rollback`: apply a recorded revision again, as a new revision. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, durationOption, parsePositiveCount, withConnection } from '../options.js';
import { printJson } from '../output.js';
import { createProgress } from '../progress.js';
import type { WaitFlags } from '../wait.js';
import { waitOptions } from '../wait.js';

type RollbackFlags = ConnectionFlags & WaitFlags & { toRevision?: number; wait?: boolean };

export function registerRollback(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('rollback')
      .description('apply a recorded revision again (default: the one before the latest)'),
  )
    .option('--to-revision <n>', 'the revision to roll back to', parsePositiveCount)
    .option('--wait', 'wait until everything is ready')
    .addOption(durationOption('--timeout <duration>', 'how long to wait', '5m'))
    .action(async (flags: RollbackFlags) => {
      const progress = flags.output === 'text' ? createProgress({ stream: io.stdout }) : undefined;
      try {
        const result = await connect(io, flags).rollback({
          toRevision: flags.toRevision,
          wait: flags.wait ? waitOptions(flags, progress) : undefined,
        });
        progress?.stop();
        if (flags.output === 'json') {
          printJson(io, { revision: result.revision, pruned: result.pruned });
        } else {
          io.stdout.write(
            `rolled back: ${result.revision?.message}; applied ${result.applied.length} objects, pruned ${result.pruned.length}; recorded as revision ${result.revision?.number}\n`,
          );
        }
      } finally {
        progress?.stop();
      }
    });
}
