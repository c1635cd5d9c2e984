/**
 * `cdk8s synth` of the default app, against the stock cdk8s TypeScript setup: ts-node, which type-checks
 * on every run. In an ES module project on Node 20, `npx ts-node main.ts` has to be spelled
 * `node --loader ts-node/esm main.ts`.
 */
import { compare, report } from './measure.js';
import { PROJECT_ROOT } from '../scripts/import-crds.js';

export async function benchSynth(runs: number): Promise<string> {
  const results = await compare(
    [
      {
        name: 'baseline: `node --loader ts-node/esm main.ts` (stock ts-node)',
        command: 'node --no-warnings --loader ts-node/esm main.ts',
      },
      { name: 'app command: `node --import tsx main.ts`', command: 'node --import tsx main.ts' },
      {
        name: '`npm run synth` (cdk8s synth, app command included)',
        command: 'npx cdk8s synth --no-check-upgrade',
      },
    ],
    { runs, cwd: PROJECT_ROOT },
  );
  return report('Synth of the default app', results, runs);
}
