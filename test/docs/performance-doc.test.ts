/** docs/performance.md shows the figures of bench/results.json, as `npm run bench` writes them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults } from '../../scripts/performance-doc.js';
import { figures, withFigures } from '../../scripts/performance-doc.js';
import { PROJECT_ROOT } from '../util/project.js';

const page = readFileSync(join(PROJECT_ROOT, 'docs', 'performance.md'), 'utf8');
const results = JSON.parse(readFileSync(join(PROJECT_ROOT, 'bench', 'results.json'), 'utf8')) as BenchResults;

test('docs/performance.md holds the figures of bench/results.json (run npm run docs:performance)', async () => {
  expect(await withFigures(page, results)).toBe(page);
});

test('the figures say when they were taken and how many targets were met', () => {
  // The run of 2026-11-26, whatever bench/results.json holds now.
  const run: BenchResults = {
    ...results,
    date: '2026-11-26T20:25:45.093Z',
    minutes: 12.853,
    versions: { ...results.versions, node: 'v20.20.2', kubernetes: 'v1.36.3', kubectl: 'v1.36.3' },
    targets: results.targets.slice(0, 9).map((t, i) => ({ ...t, met: i > 0 })),
  };
  expect(figures(run)).toMatch(
    /^Latest figures, from the full `npm run bench` \(12\.9 minutes, 2026-11-26, Node 20\.20\.2, Kubernetes and kubectl v1\.36\.3\) on a 2-core machine\. Eight of the nine targets are met\.\n\n### `cdk8s synth` of the default app/,
  );
});

test('other figures change the page', async () => {
  const faster = { ...results, minutes: 1 };
  expect(await withFigures(page, faster)).toContain(`(1.0 minutes, ${results.date.slice(0, 10)}`);
});

test('a page without its markers is refused with the fix', async () => {
  await expect(withFigures('# Performance\n', results)).rejects.toThrow(
    'docs/performance.md has no <!-- bench-figures --> ... <!-- /bench-figures --> block: put the two markers back around the figures',
  );
});
