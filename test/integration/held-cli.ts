/**
 * The CLI's entry for tests that hold a command at a step (see hold.ts): as cli/main.ts, with the
 * holding observer. client-process.ts bundles it and runs it in place of the bin.
 */
import { exitOnInterrupt } from '../../cli/interrupt.js';
import { processIo } from '../../cli/io.js';
import { runCli } from '../../cli/program.js';
import { HOLD_VARIABLE, holdingObserver } from './hold.js';

exitOnInterrupt();

process.exitCode = await runCli(process.argv.slice(2), {
  ...processIo(),
  onStep: holdingObserver(process.env[HOLD_VARIABLE]),
});
