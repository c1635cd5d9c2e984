/**
 * The CLI as a real process, for tests that hold it at a step, interrupt it or kill it: the bin's
 * command run by held-cli.ts, bundled as the bin is so that it starts as fast.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
// @ts-expect-error: the bundler is a plain ES module without types.
import { bundleEntry, isStale } from '../../cli/bundle.mjs';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { PROJECT_ROOT } from '../util/project.js';
import { HOLD_VARIABLE } from './hold.js';

const HELD_CLI = join(PROJECT_ROOT, 'node_modules', '.cache', 'cdk8s-devops', 'held-cli.mjs');
if ((isStale as (root: string, bundle: string) => boolean)(PROJECT_ROOT, HELD_CLI)) {
  await (bundleEntry as (root: string, entry: string, bundle: string) => Promise<void>)(
    PROJECT_ROOT,
    join('test', 'integration', 'held-cli.ts'),
    HELD_CLI,
  );
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves once the process says it is holding at its step. */
  readonly held: Promise<void>;
  /** Resolves with the exit code (or signal) and the output once it ended. */
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** Starts `cdk8s-devops <args>` against the test cluster, held at the step `holdAt` (see hold.ts) when given. */
export function startCli(args: readonly string[], holdAt?: string): CliProcess {
  const child = spawn(
    process.execPath,
    [HELD_CLI, ...args, '--kubeconfig', process.env[KUBECONFIG_VARIABLE]!],
    {
      cwd: PROJECT_ROOT,
      env: { ...process.env, KUBECONFIG: '', [HOLD_VARIABLE]: holdAt ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let onHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.includes(`holding at ${holdAt}`)) {
      onHeld();
    }
  });
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, held, exited };
}
