/** The `cdk8s-devops` executable: the CLI on the process's streams. */
import { exitOnInterrupt } from './interrupt.js';
import { processIo } from './io.js';
import { runCli } from './program.js';

exitOnInterrupt();

process.exitCode = await runCli(process.argv.slice(2), processIo());
