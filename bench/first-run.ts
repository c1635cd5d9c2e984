/**
 * The first run on a new machine: each component's cold build, as the harness recorded it in the
 * component cache (test/cluster/build-times.ts), and the last whole cold `.ci/run` that
 * `npm run bench:first-run` measured (bench/first-run-cold.ts).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { BuildTime } from '../test/cluster/build-times.js';
import { readBuildTimes } from '../test/cluster/build-times.js';

/** One cold `.ci/run` from a fresh clone with empty component, Go module and Go build caches. */
export interface ColdRun {
  readonly date: string;
  readonly commit: string;
  readonly cpus: number;
  /** One-minute load average at the start, the highest sampled each minute, and at the end. */
  readonly loadAverage: { readonly start: number; readonly max: number; readonly end: number };
  readonly exitCode: number;
  /** The whole `.ci/run`: `npm ci`, the component builds, then every test. */
  readonly seconds: number;
  /** The components' builds, each as the harness recorded it. */
  readonly builds: readonly BuildTime[];
  /** Jest's summary line (`summary: N passed, ...`), or the reason there is none. */
  readonly tests: string;
}

export interface FirstRun {
  /** The builds recorded in this machine's component cache (empty when it was built before they were). */
  readonly builds: readonly BuildTime[];
  readonly coldRun?: ColdRun;
}

/**
 * The build times in the component cache (`cache`, the harness's by default), and the cold `.ci/run` that
 * the last `npm run bench:first-run` wrote to `results` (bench/results.json), kept across bench runs.
 */
export async function readFirstRun(results: string, cache?: string): Promise<FirstRun> {
  const previous = existsSync(results)
    ? (JSON.parse(await readFile(results, 'utf8')) as { firstRun?: FirstRun })
    : {};
  return { builds: await readBuildTimes(cache), coldRun: previous.firstRun?.coldRun };
}

/** The whole first run's limit (issue 27), in minutes. */
export const FIRST_RUN_LIMIT_MINUTES = 45;

const minutes = (seconds: number) => `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;

function buildsTable(title: string, builds: readonly BuildTime[]): string[] {
  const total = builds.reduce((sum, b) => sum + b.seconds, 0);
  return [
    `### ${title}`,
    '',
    '| component | version | cold build | cores | load average | date |',
    '| --- | --- | --- | --- | --- | --- |',
    ...builds.map(
      (b) =>
        `| ${b.module} | ${b.version} | ${b.seconds.toFixed(0)} s | ${b.cpus} | ${b.loadAverage.toFixed(2)} | ${b.date.slice(0, 16).replace('T', ' ')} |`,
    ),
    `| all components | | ${total.toFixed(0)} s (${minutes(total)}) | | | |`,
  ];
}

/** Markdown: the last cold `.ci/run`, its builds and its whole time, or how to measure one. */
export function coldRunTable(cold: ColdRun | undefined): string {
  if (!cold) {
    return `No cold \`.ci/run\` measured yet: \`npm run bench:first-run\` measures one (about ${FIRST_RUN_LIMIT_MINUTES} minutes).`;
  }
  const { start, max, end } = cold.loadAverage;
  return [
    ...buildsTable(
      `First run: cold \`.ci/run\` of ${cold.commit.slice(0, 7)} from a fresh clone, empty caches (${cold.date.slice(0, 10)})`,
      cold.builds,
    ),
    '',
    `The whole \`.ci/run\` (\`npm ci\`, the builds, every test): ${minutes(cold.seconds)}, exit code ` +
      `${cold.exitCode}, \`${cold.tests}\`; ${cold.cpus} cores, load average ${start} at the start, ` +
      `${max} at most, ${end} at the end. Limit: ${FIRST_RUN_LIMIT_MINUTES} min.`,
  ].join('\n');
}

/** Markdown: the builds of this machine's cache, then the last cold `.ci/run`. */
export function firstRunTable(firstRun: FirstRun): string {
  const title = 'First run: component builds recorded in this machine’s cache';
  const cache = firstRun.builds.length
    ? buildsTable(title, firstRun.builds)
    : [
        `### ${title}`,
        '',
        'None recorded: the cache was built before build times were recorded (delete it to measure).',
      ];
  return [...cache, '', coldRunTable(firstRun.coldRun)].join('\n');
}
