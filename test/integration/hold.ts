/**
 * A step observer that holds a command at one step, for tests that overlap it with another or kill it
 * there: `CDK8S_DEVOPS_TEST_HOLD_AT=<step>` or `<step>:<n>` (the n-th time the step is passed). It says
 * `holding at <step>` on stderr and goes on when the process receives SIGUSR2 (or SIGINT or SIGTERM,
 * which interrupt it). Test code only: the product reads no such variable.
 */
import type { Step, StepObserver } from '../../client/index.js';

export const HOLD_VARIABLE = 'CDK8S_DEVOPS_TEST_HOLD_AT';

/** The observer that holds at `hold` (`<step>` or `<step>:<n>`); undefined when there is nothing to hold at. */
export function holdingObserver(hold: string | undefined): StepObserver | undefined {
  if (!hold) {
    return undefined;
  }
  const [holdStep, holdAt = '1'] = hold.split(':');
  const passed = new Map<Step, number>();
  return async (step) => {
    const count = (passed.get(step) ?? 0) + 1;
    passed.set(step, count);
    if (step !== holdStep || Number(holdAt) !== count) {
      return;
    }
    process.stderr.write(`holding at ${hold}\n`);
    await new Promise<void>((resolve) => {
      // The interval keeps the process alive while it is held.
      const alive = setInterval(() => {}, 60_000);
      const go = () => {
        clearInterval(alive);
        resolve();
      };
      process.once('SIGUSR2', go);
      // An interrupted command goes on too, so that its interrupt handling can finish what is in flight.
      process.once('SIGINT', go);
      process.once('SIGTERM', go);
    });
  };
}
