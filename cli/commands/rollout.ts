/**
 * `promote`, `abort`, `retry`, `pause`, `resume`: the Argo Rollout operations, one command each, with the
 * patches the Argo Rollouts kubectl plugin sends.
 */
import type { Command } from 'commander';
import type { RolloutOperation } from '../../client/index.js';
import type { CliIo } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, withConnection } from '../options.js';
import { printJson } from '../output.js';

type RolloutFlags = ConnectionFlags & { full?: boolean };

function rolloutCommand(
  program: Command,
  io: CliIo,
  name: string,
  description: string,
  operation: (flags: RolloutFlags) => RolloutOperation,
  done: string,
): Command {
  return withConnection(program.command(name).description(description))
    .argument('<rollout>', 'the name of the Argo Rollout')
    .action(async (rollout: string, flags: RolloutFlags) => {
      const release = connect(io, flags);
      const op = operation(flags);
      await release.operateRollout(op, rollout);
      if (flags.output === 'json') {
        printJson(io, { rollout, namespace: release.defaultNamespace, operation: op });
      } else {
        io.stdout.write(`rollout '${rollout}' ${op === 'promote-full' ? 'fully promoted' : done}\n`);
      }
    });
}

export function registerRolloutCommands(program: Command, io: CliIo): void {
  rolloutCommand(
    program,
    io,
    'promote',
    'promote a paused Argo Rollout to its next step',
    (f) => (f.full ? 'promote-full' : 'promote'),
    'promoted',
  ).option('--full', 'skip the remaining steps, analysis and pauses');
  rolloutCommand(
    program,
    io,
    'abort',
    'abort an Argo Rollout: back to the stable version',
    () => 'abort',
    'aborted',
  );
  rolloutCommand(program, io, 'retry', 'retry an aborted Argo Rollout', () => 'retry', 'retried');
  rolloutCommand(program, io, 'pause', 'pause an Argo Rollout', () => 'pause', 'paused');
  rolloutCommand(program, io, 'resume', 'resume a paused Argo Rollout', () => 'resume', 'resumed');
}
