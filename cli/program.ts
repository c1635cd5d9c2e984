/**
 * The `cdk8s-devops` command line: one module per command under commands/ (its options, their parsing
 * and its action), each stringing together calls of the client library (client/index.ts), printing for
 * people (tables, diffs, live progress) or machines (`-o json`), and exiting like kubectl.
 */
import type { Command } from 'commander';
import { Command as CommanderCommand } from 'commander';
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
import { exitCodeOf } from './exit-code.js';
import type { CliIo } from './io.js';
import { EXIT } from './io.js';

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
    return exitCodeOf(error, io, errorCode);
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
