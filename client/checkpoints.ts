/**
 * Named points of an apply at which a test can hold the command (to overlap it with another, or to kill
 * it there): `CDK8S_DEVOPS_TEST_HOLD_AT=<point>` or `<point>:<n>` (at the n-th time the point is passed).
 * The command says `holding at <point>` on stderr and goes on when it receives SIGUSR2 (or SIGINT or
 * SIGTERM, which interrupt it). Without the
 * variable, a checkpoint costs one lookup.
 */
export const HOLD_VARIABLE = 'CDK8S_DEVOPS_TEST_HOLD_AT';

export const CHECKPOINTS = ['locked', 'diffing', 'applying', 'pruning', 'recording'] as const;
export type Checkpoint = (typeof CHECKPOINTS)[number];

const passed = new Map<string, number>();

export async function checkpoint(point: Checkpoint): Promise<void> {
  const hold = process.env[HOLD_VARIABLE];
  if (!hold) {
    return;
  }
  const count = (passed.get(point) ?? 0) + 1;
  passed.set(point, count);
  const [name, at = '1'] = hold.split(':');
  if (name === point && Number(at) === count) {
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
  }
}
