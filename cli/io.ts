import type { StepObserver } from '../client/index.js';

/** What every command is given: the process's streams, folder and environment, and how it exits. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The project root: manifests default to its `dist/`. */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Told each step of the releases the command connects to (ReleaseOptions.onStep), for a program that
   * runs the CLI in its own process.
   *
   * @default - nothing is told
   */
  readonly onStep?: StepObserver;
}

/** The running process's streams, folder and environment. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
  };
}

/**
 * kubectl's exit codes: 0 success (diff: no changes; watch: ready), 1 an error (diff: changes), 2 timed
 * out or not ready (diff: an error), 130 interrupted.
 */
export const EXIT = {
  ok: 0,
  failed: 1,
  timedOut: 2,
  diffChanges: 1,
  diffError: 2,
  interrupted: 130,
} as const;

/** Ends a command with an exit code, after it printed what it had to say. */
export class ExitCode extends Error {
  public constructor(public readonly code: number) {
    super(`exit ${code}`);
  }
}
