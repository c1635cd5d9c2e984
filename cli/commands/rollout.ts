/**
 * `promote`, `abort`, `retry`, `pause`, `resume`: the Argo Rollout operations, one command each, with the
 * patches the Argo Rollouts kubectl plugin sends. The Rollout's namespace comes from `-n`, else from the
 * app's manifests (as the ApplySet comes from the project), where its name must be unique.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Release, RolloutOperation } from '../../client/index.js';
import { rolloutNamespaceIn } from '../../client/index.js';
import { defaultSource } from '../environment.js';
import type { CliIo } from '../io.js';
import type { ConnectionFlags, SourceFlags } from '../options.js';
import { connect, loadSources, withConnection, withSources } from '../options.js';
import { printJson } from '../output.js';

type RolloutFlags = ConnectionFlags & SourceFlags & { full?: boolean };

/** `-n`, else the Rollout's namespace in the manifests, else (no manifests at all) the default namespace. */
async function namespaceOf(
  io: CliIo,
  release: Release,
  rollout: string,
  paths: string[],
  flags: RolloutFlags,
): Promise<string> {
  if (flags.namespace !== undefined) {
    return flags.namespace;
  }
  const named = [...paths, ...flags.filename];
  const source = named.length > 0 ? named.join(', ') : defaultSource(io, flags);
  if (named.length === 0 && !existsSync(resolve(io.cwd, source))) {
    return release.defaultNamespace;
  }
  return rolloutNamespaceIn(
    await loadSources(io, paths, flags),
    rollout,
    release.defaultNamespace,
    `the manifests (${source})`,
  );
}

function rolloutCommand(
  program: Command,
  io: CliIo,
  name: string,
  description: string,
  operation: (flags: RolloutFlags) => RolloutOperation,
  done: string,
): Command {
  return withSources(
    withConnection(program.command(name).description(description)).argument(
      '<rollout>',
      'the name of the Argo Rollout',
    ),
  ).action(async (rollout: string, paths: string[], flags: RolloutFlags) => {
    const release = connect(io, flags);
    const op = operation(flags);
    const namespace = await namespaceOf(io, release, rollout, paths, flags);
    await release.operateRollout(op, rollout, namespace);
    if (flags.output === 'json') {
      printJson(io, { rollout, namespace, operation: op });
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
