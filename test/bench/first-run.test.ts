/** The first run's figures: build times recorded in the component cache, the tables and the target. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColdRun } from '../../bench/first-run.js';
import { coldRunTable, firstRunTable, readFirstRun } from '../../bench/first-run.js';
import type { Target } from '../../bench/targets.js';
import { firstRunTarget, targetsTable } from '../../bench/targets.js';
import {
  buildTimesPath,
  readBuildTimes,
  recordBuildTime,
  timedBuild,
} from '../../test/cluster/build-times.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'first-run-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const build = (module: string, seconds: number) => ({
  module,
  version: 'v1.0.0',
  seconds,
  cpus: 2,
  loadAverage: 1.5,
  date: '2026-12-07T08:00:00.000Z',
});

const coldRun = (seconds: number, exitCode = 0): ColdRun => ({
  date: '2026-12-07T08:00:00.000Z',
  commit: '0123456789abcdef',
  cpus: 2,
  loadAverage: { start: 1, max: 3.5, end: 2 },
  exitCode,
  seconds,
  builds: [build('kubernetes', 300), build('etcd', 30.4)],
  tests: 'summary: 898 passed, 0 failed, 0 skipped',
});

test('each build is recorded with the machine and its load, the latest of a module replacing the earlier', async () => {
  expect(await readBuildTimes(dir)).toEqual([]);
  await recordBuildTime({ module: 'kubernetes', version: 'v1.36.3', seconds: 400 }, dir);
  await recordBuildTime({ module: 'etcd', version: 'v3.6.16', seconds: 37 }, dir);
  await recordBuildTime({ module: 'kubernetes', version: 'v1.36.3', seconds: 300 }, dir);
  const builds = await readBuildTimes(dir);
  expect(builds.map((b) => [b.module, b.version, b.seconds, b.cpus])).toEqual([
    ['etcd', 'v3.6.16', 37, cpus().length],
    ['kubernetes', 'v1.36.3', 300, cpus().length],
  ]);
  expect(builds.every((b) => b.loadAverage >= 0 && Date.now() - Date.parse(b.date) < 60_000)).toBe(true);
});

test('a timed build is logged and recorded; a failed one is neither', async () => {
  const lines: string[] = [];
  const what = { module: 'tekton', version: 'v1.15.0+v0.37.0', name: 'the Tekton controllers' };
  await timedBuild(
    what,
    (l) => lines.push(l),
    () => new Promise((r) => setTimeout(r, 1200)),
    dir,
  );
  const failing = () => Promise.reject(new Error('go build failed'));
  await expect(timedBuild({ ...what, module: 'etcd' }, (l) => lines.push(l), failing, dir)).rejects.toThrow(
    'go build failed',
  );
  expect(lines).toEqual(['built the Tekton controllers v1.15.0+v0.37.0 in 1s']);
  const [recorded] = await readBuildTimes(dir);
  expect(recorded).toMatchObject({ module: 'tekton', version: 'v1.15.0+v0.37.0' });
  expect(recorded.seconds).toBeGreaterThanOrEqual(1.2);
  expect(await readBuildTimes(dir)).toHaveLength(1);
});

test('a damaged build-times file is named, with the fix', async () => {
  await writeFile(buildTimesPath(dir), '{');
  await expect(readBuildTimes(dir)).rejects.toThrow(
    new RegExp(
      `^${buildTimesPath(dir)} is not the JSON list of build times the harness writes \\(.*\\): delete it, the next build writes it anew$`,
    ),
  );
});

test('bench reads the cache’s builds and keeps the cold run of the last bench:first-run', async () => {
  await recordBuildTime({ module: 'kwok', version: 'v0.8.0', seconds: 87 }, dir);
  const results = join(dir, 'results.json');
  expect(await readFirstRun(results, dir)).toEqual({
    builds: [expect.objectContaining({ module: 'kwok', seconds: 87 })],
    coldRun: undefined,
  });
  await writeFile(results, JSON.stringify({ date: 'x', firstRun: { builds: [], coldRun: coldRun(2400) } }));
  expect((await readFirstRun(results, dir)).coldRun).toEqual(coldRun(2400));
});

test('the first-run tables list every build with its total, and the whole cold run against its limit', () => {
  expect(coldRunTable(coldRun(2435))).toBe(
    [
      '### First run: cold `.ci/run` of 0123456 from a fresh clone, empty caches (2026-12-07)',
      '',
      '| component | version | cold build | cores | load average | date |',
      '| --- | --- | --- | --- | --- | --- |',
      '| kubernetes | v1.0.0 | 300 s | 2 | 1.50 | 2026-12-07 08:00 |',
      '| etcd | v1.0.0 | 30 s | 2 | 1.50 | 2026-12-07 08:00 |',
      '| all components | | 330 s (5 min 30 s) | | | |',
      '',
      'The whole `.ci/run` (`npm ci`, the builds, every test): 40 min 35 s, exit code 0, ' +
        '`summary: 898 passed, 0 failed, 0 skipped`; 2 cores, load average 1 at the start, 3.5 at most, ' +
        '2 at the end. Limit: 45 min.',
    ].join('\n'),
  );
  expect(firstRunTable({ builds: [] })).toBe(
    [
      '### First run: component builds recorded in this machine’s cache',
      '',
      'None recorded: the cache was built before build times were recorded (delete it to measure).',
      '',
      'No cold `.ci/run` measured yet: `npm run bench:first-run` measures one (about 45 minutes).',
    ].join('\n'),
  );
});

test('the first-run target: met within 45 minutes; a failed or missing run is not measured', () => {
  expect(firstRunTarget(coldRun(2435))).toMatchObject({ value: 2435 / 60, unit: 'min', met: true });
  expect(firstRunTarget(coldRun(2701))).toMatchObject({ met: false });
  expect(targetsTable([firstRunTarget(coldRun(2701, 1)), firstRunTarget(undefined)])).toContain(
    [
      '| first `.ci/run` from a fresh clone, empty caches (`npm run bench:first-run`) | not measured | <= 45 min | no |',
      '| first `.ci/run` from a fresh clone, empty caches (`npm run bench:first-run`) | not measured | <= 45 min | no |',
    ].join('\n'),
  );
  expect(targetsTable([firstRunTarget(coldRun(2435))])).toContain('| 40.6 min | <= 45 min | yes |');
  // As `npm run docs:performance` reads it back from results.json, where NaN is written as null.
  const [stored] = JSON.parse(JSON.stringify([firstRunTarget(undefined)])) as Target[];
  expect(targetsTable([stored])).toContain('| not measured | <= 45 min | no |');
});
