/** The `cdk8s-devops` executable: the CLI on the process's streams. */
import { exitOnInterrupt } from './interrupt.js';
import { runCli } from './program.js';

exitOnInterrupt();

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  cwd: process.cwd(),
  env: process.env,
});
