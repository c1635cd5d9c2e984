/**
 * The `cdk8s-devops` command line: each command strings together calls of the client library (Stack),
 * prints for people (tables, diffs, live progress) or machines (`-o json`), and exits like kubectl.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { CommanderError, Option, Command as CommanderCommand } from 'commander';
import type { ChangeSet } from '../client/change-set.js';
import { hasChanges } from '../client/change-set.js';
import { loadKubeConfig } from '../client/kubeconfig.js';
import { loadManifests } from '../client/manifests.js';
import type { ProgressView } from '../client/progress.js';
import { createProgress, describeReadiness } from '../client/progress.js';
import type { RolloutOperation } from '../client/rollout-operations.js';
import { operateRollout } from '../client/rollout-operations.js';
import type { Manifest } from '../client/resources.js';
import { RolledBackError, Stack, WaitError } from '../client/stack.js';
import type { WaitOptions, WaitResult } from '../client/watch.js';
import { registerInit } from './commands/init.js';
import { parseDuration } from './duration.js';
import type { EnvironmentFlags } from './environment.js';
import { applySetOf, defaultSource, withEnvironment } from './environment.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The project root: manifests default to its `dist/`. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** kubectl's exit codes: 0 success (diff: no changes; watch: ready), 1 failure (diff: changes), 2 timed out. */
export const EXIT = { ok: 0, failed: 1, timedOut: 2 } as const;

interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  applyset?: string;
  env?: string;
  output: 'text' | 'json';
  requestRetries: string;
}

interface SourceOptions {
  filename?: string[];
}

class ExitCode extends Error {
  public constructor(public readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof ExitCode) {
      return error.code;
    }
    if (error instanceof CommanderError) {
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${message}\n`);
    if (error instanceof RolledBackError) {
      return error.cause instanceof WaitError ? waitExitCode(error.cause.result) : EXIT.failed;
    }
    return error instanceof WaitError ? waitExitCode(error.result) : EXIT.failed;
  }
}

function waitExitCode(result: WaitResult): number {
  return result.outcome === 'ready' ? EXIT.ok : result.outcome === 'failed' ? EXIT.failed : EXIT.timedOut;
}

function buildProgram(io: CliIo): Command {
  const program = new CommanderCommand('cdk8s-devops')
    .description('Diff, apply, watch and roll back a cdk8s app on any cluster.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  const command = (name: string, description: string) =>
    withEnvironment(program.command(name).description(description).exitOverride())
      .option('--kubeconfig <path>', 'the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
      .option('--context <name>', 'the kubeconfig context')
      .option('-n, --namespace <name>', 'namespace of the ApplySet and of objects that name none')
      .option('--applyset <name>', 'name of the ApplySet parent Secret (default: the project directory name)')
      .option('--request-retries <n>', 'retries of a failed request, with backoff', '8')
      .addOption(
        new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
      );
  const withSources = (cmd: Command) =>
    cmd
      .argument('[paths...]', 'manifest files or folders (default: dist/)')
      .option('-f, --filename <path>', 'a manifest file or folder (repeatable)', collect, []);

  const connect = (options: ClusterOptions) => {
    const applySet = applySetOf(io.cwd, options);
    return Stack.connect({
      kubeConfig: loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context, env: io.env }),
      name:
        applySet.name ??
        basename(resolve(io.cwd))
          .toLowerCase()
          .replace(/[^a-z0-9.-]/g, '-'),
      namespace: applySet.namespace,
      retry: { retries: Number(options.requestRetries) },
    });
  };
  const manifestsOf = (paths: string[], options: SourceOptions & EnvironmentFlags) => {
    const all = [...paths, ...(options.filename ?? [])];
    return loadManifests(
      (all.length > 0 ? all : [defaultSource(io.cwd, options)]).map((p) => resolve(io.cwd, p)),
    );
  };
  const json = (value: unknown) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  /** Waits with progress on stdout (text output) and a summary line; `-o json` leaves printing to the caller. */
  const watchAndReport = async (
    stack: Stack,
    manifests: Manifest[],
    options: { output: 'text' | 'json'; timeout: string; objectTimeout?: string },
  ): Promise<WaitResult> => {
    const progress = options.output === 'text' ? createProgress({ stream: io.stdout }) : undefined;
    let result: WaitResult;
    try {
      result = await stack.watch(manifests, waitOptions(options, progress));
    } finally {
      progress?.stop();
    }
    if (progress) {
      const ready = result.objects.filter((o) => o.outcome === 'ready').length;
      io.stdout.write(
        `${result.outcome === 'timed-out' ? 'timed out' : result.outcome}: ${ready} of ${result.objects.length} objects ready\n`,
      );
    }
    return result;
  };

  withSources(command('diff', 'show the change set: what apply would create, update and delete'))
    .option('--no-prune', 'leave out deletions of objects that left the app')
    .action(async (paths: string[], options: ClusterOptions & SourceOptions & { prune: boolean }) => {
      const changeSet = await connect(options).diff(await manifestsOf(paths, options), {
        prune: options.prune,
      });
      if (options.output === 'json') {
        json(changeSet);
      } else {
        printChangeSet(io, changeSet, true);
      }
      throw new ExitCode(hasChanges(changeSet) ? EXIT.failed : EXIT.ok);
    });

  const applyCommand = (name: string, description: string) =>
    withSources(command(name, description))
      .option('--dry-run', 'let the server validate everything, store nothing')
      .option('-y, --yes', 'apply without asking')
      .option('--force-conflicts', 'take over fields that another field manager owns')
      .option('--no-prune', 'keep objects that left the app')
      .option('--rollback-on-failure', 'apply the previous revision again when the apply or the wait fails')
      .option('-m, --message <text>', 'why, recorded with the revision', '')
      .option('--timeout <duration>', 'how long to wait for everything to be ready', '5m')
      .option('--object-timeout <duration>', 'how long to wait for any one object');

  type ApplyFlags = ClusterOptions &
    SourceOptions & {
      dryRun?: boolean;
      yes?: boolean;
      forceConflicts?: boolean;
      prune: boolean;
      rollbackOnFailure?: boolean;
      message: string;
      timeout: string;
      objectTimeout?: string;
      wait?: boolean;
      synth?: boolean;
    };

  const deploy = async (manifests: Manifest[], options: ApplyFlags, wait: boolean) => {
    const stack = connect(options);
    const changeSet = await stack.diff(manifests, { prune: options.prune });
    const text = options.output === 'text';
    if (text) {
      printChangeSet(io, changeSet, false);
    }
    if (!hasChanges(changeSet)) {
      // Nothing to apply and no revision to record; deploy still waits, as the app may not be ready yet.
      const waited = wait ? await watchAndReport(stack, manifests, options) : undefined;
      if (!text) {
        json({ changeSet, applied: 0, pruned: [], wait: waited });
      }
      throw new ExitCode(waited ? waitExitCode(waited) : EXIT.ok);
    }
    if (!options.dryRun && !options.yes && io.stdin.isTTY && !(await confirm(io))) {
      io.stderr.write('nothing applied\n');
      throw new ExitCode(EXIT.failed);
    }
    const progress = text ? createProgress({ stream: io.stdout }) : undefined;
    try {
      const result = await stack.apply(manifests, {
        dryRun: options.dryRun,
        forceConflicts: options.forceConflicts,
        prune: options.prune,
        message: options.message,
        rollbackOnFailure: options.rollbackOnFailure,
        onObject: (e) => progress?.note(`${e.action} ${e.ref}`),
        wait: wait ? waitOptions(options, progress) : undefined,
      });
      progress?.stop();
      if (text) {
        io.stdout.write(
          options.dryRun
            ? `dry run: ${result.applied.length} objects validated by the server, nothing stored\n`
            : `applied ${result.applied.length} objects, pruned ${result.pruned.length}; recorded revision ${result.revision?.number}\n`,
        );
      } else {
        json({
          changeSet,
          applied: result.applied.length,
          pruned: result.pruned,
          revision: result.revision,
          wait: result.wait,
        });
      }
    } finally {
      progress?.stop();
    }
  };

  applyCommand('apply', 'apply the app with server-side apply, prune what left it, record a revision')
    .option('--wait', 'wait until everything applied is ready')
    .action(async (paths: string[], options: ApplyFlags) => {
      await deploy(await manifestsOf(paths, options), options, options.wait ?? false);
    });

  applyCommand('deploy', 'synth, diff, confirm, apply and watch, in one command')
    .option('--no-synth', 'use the manifests as they are, without running `cdk8s synth`')
    .action(async (paths: string[], options: ApplyFlags) => {
      if (options.synth !== false) {
        await synth(io, options.env);
      }
      await deploy(await manifestsOf(paths, options), options, true);
    });

  command('history', 'list the recorded revisions').action(async (options: ClusterOptions) => {
    const revisions = await connect(options).history.list();
    if (options.output === 'json') {
      json(revisions);
      return;
    }
    printTable(
      io,
      ['REVISION', 'TIME', 'USER', 'OBJECTS', 'MESSAGE'],
      revisions.map((r) => [String(r.number), r.time, r.user, String(r.objects), r.message]),
    );
  });

  command('rollback', 'apply a recorded revision again (default: the one before the latest)')
    .option('--to-revision <n>', 'the revision to roll back to')
    .option('--wait', 'wait until everything is ready')
    .option('--timeout <duration>', 'how long to wait', '5m')
    .action(async (options: ClusterOptions & { toRevision?: string; wait?: boolean; timeout: string }) => {
      const progress = options.output === 'text' ? createProgress({ stream: io.stdout }) : undefined;
      try {
        const result = await connect(options).rollback({
          toRevision: options.toRevision === undefined ? undefined : Number(options.toRevision),
          wait: options.wait ? waitOptions(options, progress) : undefined,
        });
        progress?.stop();
        if (options.output === 'json') {
          json({ revision: result.revision, pruned: result.pruned });
        } else {
          io.stdout.write(
            `rolled back: ${result.revision?.message}; applied ${result.applied.length} objects, pruned ${result.pruned.length}; recorded as revision ${result.revision?.number}\n`,
          );
        }
      } finally {
        progress?.stop();
      }
    });

  withSources(command('watch', 'wait until every object is ready, showing progress and events'))
    .option('--timeout <duration>', 'how long to wait for everything', '5m')
    .option('--object-timeout <duration>', 'how long to wait for any one object')
    .action(
      async (
        paths: string[],
        options: ClusterOptions & SourceOptions & { timeout: string; objectTimeout?: string },
      ) => {
        const result = await watchAndReport(connect(options), await manifestsOf(paths, options), options);
        if (options.output === 'json') {
          json(result);
        }
        throw new ExitCode(waitExitCode(result));
      },
    );

  withSources(command('status', 'show whether each object is ready now')).action(
    async (paths: string[], options: ClusterOptions & SourceOptions) => {
      const statuses = await connect(options).status(await manifestsOf(paths, options));
      if (options.output === 'json') {
        json(statuses);
      } else {
        printTable(
          io,
          ['OBJECT', 'STATUS'],
          statuses.map((s) => [s.ref, describeReadiness(s.readiness)]),
        );
      }
      const states = statuses.map((s) => s.readiness.state);
      throw new ExitCode(
        states.includes('failed')
          ? EXIT.failed
          : states.every((s) => s === 'ready')
            ? EXIT.ok
            : EXIT.timedOut,
      );
    },
  );

  const rolloutCommand = (
    name: string,
    description: string,
    operation: (o: { full?: boolean }) => RolloutOperation,
    done: string,
  ) =>
    command(name, description)
      .argument('<rollout>', 'the name of the Argo Rollout')
      .action(async (rollout: string, options: ClusterOptions & { full?: boolean }) => {
        const stack = connect(options);
        const op = operation(options);
        await operateRollout(stack.target.api, op, {
          namespace: stack.target.defaultNamespace,
          name: rollout,
        });
        if (options.output === 'json') {
          json({ rollout, namespace: stack.target.defaultNamespace, operation: op });
        } else {
          io.stdout.write(`rollout '${rollout}' ${op === 'promote-full' ? 'fully promoted' : done}\n`);
        }
      });
  rolloutCommand(
    'promote',
    'promote a paused Argo Rollout to its next step',
    (o) => (o.full ? 'promote-full' : 'promote'),
    'promoted',
  ).option('--full', 'skip the remaining steps, analysis and pauses');
  rolloutCommand('abort', 'abort an Argo Rollout: back to the stable version', () => 'abort', 'aborted');
  rolloutCommand('retry', 'retry an aborted Argo Rollout', () => 'retry', 'retried');
  rolloutCommand('pause', 'pause an Argo Rollout', () => 'pause', 'paused');
  rolloutCommand('resume', 'resume a paused Argo Rollout', () => 'resume', 'resumed');
  registerInit(program, io);

  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function waitOptions(
  options: { timeout: string; objectTimeout?: string },
  progress: ProgressView | undefined,
): WaitOptions {
  return {
    timeoutMs: parseDuration(options.timeout),
    objectTimeoutMs: options.objectTimeout === undefined ? undefined : parseDuration(options.objectTimeout),
    onStatus: progress?.status,
    onEvent: progress?.event,
    onRetry: (error) =>
      progress?.note(`watch interrupted, resuming: ${(error as Error).message ?? String(error)}`),
  };
}

function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}\n`,
    );
  }
}

/** The table of every object and its operation, a summary line, and (for `diff`) each change's diff. */
function printChangeSet(io: CliIo, changeSet: ChangeSet, withDiffs: boolean): void {
  printTable(
    io,
    ['OPERATION', 'OBJECT'],
    changeSet.changes.map((c) => [c.operation, c.ref]),
  );
  const { create, update, delete: del, unchanged } = changeSet.summary;
  io.stdout.write(`\n${create} to create, ${update} to update, ${del} to delete, ${unchanged} unchanged\n`);
  if (withDiffs) {
    for (const change of changeSet.changes.filter((c) => c.diff)) {
      io.stdout.write(`\n${change.diff}`);
    }
  }
}

async function confirm(io: CliIo): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question('Apply these changes? [y/N] ')).trim());
  } finally {
    rl.close();
  }
}

/** `cdk8s synth` in the project, with the project's own cdk8s-cli, as `npm run synth` runs it. */
async function synth(io: CliIo, env: string | undefined): Promise<void> {
  const cdk8s = join(io.cwd, 'node_modules', '.bin', 'cdk8s');
  if (!existsSync(cdk8s)) {
    throw new Error(`cdk8s-cli is not installed in ${io.cwd}: run \`npm install\` there, or pass --no-synth`);
  }
  try {
    // With --env, only that environment is synthesized (see Environments in lib/gitops).
    const synthEnv = env === undefined ? io.env : { ...io.env, CDK8S_DEVOPS_ENV: env };
    await promisify(execFile)(cdk8s, ['synth', '--no-check-upgrade'], { cwd: io.cwd, env: synthEnv });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`cdk8s synth failed in ${io.cwd}:\n${stderr?.trim() || String(error)}`);
  }
}
