/** How a command's error becomes its exit code, as kubectl's: what `runCli` and each of several deploys return. */
import { CommanderError } from 'commander';
import { InterruptedError, RolledBackError, WaitError } from '../client/index.js';
import type { CliIo } from './io.js';
import { EXIT, ExitCode } from './io.js';
import { waitExitCode } from './wait.js';

/**
 * The exit code of a command that threw `error`, after printing its message (`error: ...`) when it has
 * one to print; `errorCode` is what a plain error exits with (1, or 2 for diff-like commands).
 */
export function exitCodeOf(error: unknown, io: Pick<CliIo, 'stderr'>, errorCode: number): number {
  if (error instanceof ExitCode) {
    return error.code;
  }
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? EXIT.ok : errorCode;
  }
  if (error instanceof InterruptedError) {
    // The interrupt's handler says what was done, and ends the process.
    return EXIT.interrupted;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`error: ${message}\n`);
  const cause = error instanceof RolledBackError ? error.cause : error;
  return cause instanceof WaitError ? waitExitCode(cause.result) : errorCode;
}
