/**
 * The `cdk8s-devops` command line: one module per command under commands/ (its options, their parsing
 * and its action), each stringing together calls of the client library (client/index.ts), printing for
 * people (tables, diffs, live progress) or machines (`-o json`), and exiting like kubectl.
 */
import type { Command } from 'commander';
import { CommanderError, Command as CommanderCommand } from 'commander';
import { InterruptedError, RolledBackError, WaitError } from '../client/index.js';
import { registerApply } from './commands/apply.js';
import { registerDelete } from './commands/delete.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDiff } from './commands/diff.js';
import { registerHistory } from './commands/history.js';
import { registerInit } from './commands/init.js';
import { registerMigrate } from './commands/migrate.js';
import { registerPublish } from './commands/publish.js';
import { registerRollback } from './commands/rollback.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerStatus } from './commands/status.js';
import { registerUnlock } from './commands/unlock.js';
import { registerWatch } from './commands/watch.js';
import type { CliIo } from './io.js';
import { EXIT, ExitCode } from './io.js';
import { waitExitCode } from './wait.js';

export type { CliIo } from './io.js';
export { EXIT } from './io.js';

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // kubectl diff exits 1 when there are changes, so its errors (a bad flag included) exit 2; so do
  // `publish --dry-run`'s.
  const diffLike = argv[0] === 'diff' || (argv[0] === 'publish' && argv.includes('--dry-run'));
  const errorCode = diffLike ? EXIT.diffError : EXIT.failed;
  try {
    // A copy per run: what a command reads once (package.json: projectOf) is read again by the next.
    await buildProgram({ ...io }).parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (error) {
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
}

function buildProgram(io: CliIo): Command {
  const program = new CommanderCommand('cdk8s-devops')
    .description('Diff, apply, watch and roll back a cdk8s app on any cluster.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  for (const register of [
    registerDiff,
    registerApply,
    registerDeploy,
    registerHistory,
    registerRollback,
    registerWatch,
    registerStatus,
    registerRolloutCommands,
    registerInit,
    registerDelete,
    registerUnlock,
    registerMigrate,
    registerPublish,
  ]) {
    register(program, io);
  }
  return program;
}
