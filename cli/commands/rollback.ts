/** `rollback`: apply a recorded revision again, as a new revision. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, durationOption, parsePositiveCount, withConnection } from '../options.js';
import { printJson } from '../output.js';
import { createProgress } from '../progress.js';
import type { RecreateFlags } from '../recreate.js';
import { confirmRecreations, mayRecreate, withRecreateOnImmutable } from '../recreate.js';
import type { WaitFlags } from '../wait.js';
import { waitOptions } from '../wait.js';

type RollbackFlags = ConnectionFlags &
  WaitFlags &
  Pick<RecreateFlags, 'recreateOnImmutable'> & { toRevision?: number; wait?: boolean };

export function registerRollback(program: Command, io: CliIo): void {
  withRecreateOnImmutable(
    withConnection(
      program
        .command('rollback')
        .description('apply a recorded revision again (default: what ran before the latest release)'),
    ),
  )
    .option('--to-revision <n>', 'the revision to roll back to', parsePositiveCount)
    .option('--wait', 'wait until everything is ready')
    .addOption(durationOption('--timeout <duration>', 'how long to wait', '5m'))
    .action(async (flags: RollbackFlags) => {
      const progress = flags.output === 'text' ? createProgress({ stream: io.stdout }) : undefined;
      try {
        const release = connect(io, flags);
        const result = await release.rollback({
          toRevision: flags.toRevision,
          wait: flags.wait ? waitOptions(flags, progress) : undefined,
          recreateOnImmutable: mayRecreate(io, flags),
          confirm: (changeSet) => confirmRecreations(io, flags, changeSet),
        });
        progress?.stop();
        if (!result) {
          io.stderr.write('nothing rolled back\n');
          throw new ExitCode(EXIT.failed);
        }
        if (flags.output === 'json') {
          printJson(io, { revision: result.revision, pruned: result.pruned, warnings: release.warnings });
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
