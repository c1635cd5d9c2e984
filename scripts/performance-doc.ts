/**
 * `npm run docs:performance`: writes the figures of bench/results.json into docs/performance.md, between
 * its bench-figures markers, so that the page always shows the last `npm run bench` (which runs this).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import type { FirstRun } from '../bench/first-run.js';
import { firstRunTable } from '../bench/first-run.js';
import type { Section } from '../bench/measure.js';
import { table } from '../bench/measure.js';
import type { Target } from '../bench/targets.js';
import { targetsTable } from '../bench/targets.js';

/** What bench/index.ts writes to bench/results.json (the parts the page shows). */
export interface BenchResults {
  readonly date: string;
  readonly minutes: number;
  readonly machine: { readonly cpus: number };
  readonly versions: Readonly<Record<string, string>>;
  readonly sections: readonly Section[];
  /** Absent from results written before issue 27. */
  readonly firstRun?: FirstRun;
  readonly targets: readonly Target[];
}

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const START = '<!-- bench-figures -->';
const END = '<!-- /bench-figures -->';
const COUNTS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

function count(n: number): string {
  return COUNTS[n] ?? String(n);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The generated part of the page: when and where the figures were taken, their tables, the targets. */
export function figures(results: BenchResults): string {
  const met = results.targets.filter((t) => t.met).length;
  const { node, kubernetes, kubectl } = results.versions;
  const kube =
    kubernetes === kubectl
      ? `Kubernetes and kubectl ${kubernetes}`
      : `Kubernetes ${kubernetes}, kubectl ${kubectl}`;
  const intro =
    `Latest figures, from the full \`npm run bench\` (${results.minutes.toFixed(1)} minutes, ` +
    `${results.date.slice(0, 10)}, Node ${node.replace(/^v/, '')}, ${kube}) on a ` +
    `${results.machine.cpus}-core machine. ${capitalized(count(met))} of the ` +
    `${count(results.targets.length)} targets are met.`;
  const firstRun = results.firstRun ? [firstRunTable(results.firstRun)] : [];
  return [intro, ...results.sections.map(table), ...firstRun, targetsTable(results.targets)].join('\n\n');
}

/** The page with its figures replaced by those of `results`, formatted as `npm run lint` wants it. */
export async function withFigures(page: string, results: BenchResults): Promise<string> {
  const start = page.indexOf(START);
  const end = page.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(
      `docs/performance.md has no ${START} ... ${END} block: put the two markers back around the figures`,
    );
  }
  const updated = `${page.slice(0, start + START.length)}\n\n${figures(results)}\n\n${page.slice(end)}`;
  const path = join(PROJECT_ROOT, 'docs', 'performance.md');
  return format(updated, { ...(await resolveConfig(path)), filepath: path });
}

if (process.argv[1] === import.meta.filename) {
  const path = join(PROJECT_ROOT, 'docs', 'performance.md');
  const results = JSON.parse(
    await readFile(join(PROJECT_ROOT, 'bench', 'results.json'), 'utf8'),
  ) as BenchResults;
  await writeFile(path, await withFigures(await readFile(path, 'utf8'), results));
  console.log(`${path}: figures of ${results.date}`);
}
