/** The CLI as a real process (the bin), for tests that hold it at a checkpoint, interrupt it or kill it. */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { HOLD_VARIABLE } from '../../client/checkpoints.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { PROJECT_ROOT } from '../util/project.js';

export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves once the process says it is holding at its checkpoint. */
  readonly held: Promise<void>;
  /** Resolves with the exit code (or signal) and the output once it ended. */
  readonly exited: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
}

/** Starts `cdk8s-devops <args>` against the test cluster, held at `holdAt` when given. */
export function startCli(args: readonly string[], holdAt?: string): CliProcess {
  const child = spawn(
    process.execPath,
    [
      join(PROJECT_ROOT, 'cli', 'cdk8s-devops.mjs'),
      ...args,
      '--kubeconfig',
      process.env[KUBECONFIG_VARIABLE]!,
    ],
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
