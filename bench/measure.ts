/**
 * Side-by-side measurements: each candidate runs interleaved with its baseline, the same number of
 * times, and is reported as a ratio against it, so that machine load affects both alike.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Candidate {
  readonly name: string;
  /** A shell command. */
  readonly command: string;
}

/** The median, fastest and slowest of a series. */
export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One row of a table: a candidate's seconds and peak memory over its runs. */
export interface Row {
  readonly name: string;
  readonly seconds: Stats;
  readonly maxRssMiB: Stats;
}

export interface Sample {
  readonly seconds: number;
  readonly maxRssMiB: number;
  readonly stdout: string;
}

/** Wall time and peak memory of one run, from GNU time. */
export async function measureOnce(command: string, cwd: string): Promise<Sample> {
  const { stdout, stderr } = await run('/usr/bin/time', ['-f', 'BENCH %e %M', 'sh', '-c', command], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stderr?: string; stdout?: string; message: string }) => {
    throw new Error(`failed: ${command}\n${error.stderr ?? ''}${error.stdout?.slice(-2000) ?? ''}`);
  });
  const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) {
    throw new Error(`no timing for: ${command}\n${stderr}`);
  }
  const [, seconds, kib] = line.split(' ');
  return { seconds: Number(seconds), maxRssMiB: Number(kib) / 1024, stdout };
}

export function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function row(name: string, samples: readonly Pick<Sample, 'seconds' | 'maxRssMiB'>[]): Row {
  return {
    name,
    seconds: stats(samples.map((s) => s.seconds)),
    maxRssMiB: stats(samples.map((s) => s.maxRssMiB)),
  };
}

/** Runs every candidate `runs` times, round-robin after one warm-up each (unless `warmUp` is false). */
export async function compare(
  candidates: readonly Candidate[],
  options: { runs: number; cwd: string; warmUp?: boolean },
): Promise<Row[]> {
  const samples = new Map<string, Sample[]>(candidates.map((c) => [c.name, []]));
  for (const c of options.warmUp === false ? [] : candidates) {
    await measureOnce(c.command, options.cwd);
  }
  for (let i = 0; i < options.runs; i++) {
    for (const c of candidates) {
      samples.get(c.name)!.push(await measureOnce(`${c.command} >/dev/null`, options.cwd));
    }
  }
  return candidates.map((c) => row(c.name, samples.get(c.name)!));
}

/** A section of the results: rows measured together, the first one the baseline of the others. */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly runs: number;
  readonly rows: readonly Row[];
  /** Figures that are neither times nor memory (API requests), by name. */
  readonly counts?: Readonly<Record<string, number>>;
  /** What the figures mean, printed under the table. */
  readonly notes?: readonly string[];
  /** Figures other than times that a target reads (bytes, counts), by name. */
  readonly figures?: Readonly<Record<string, number>>;
}

const span = (s: Stats, unit: (n: number) => string) => `${unit(s.median)} (${unit(s.min)}–${unit(s.max)})`;
const secondsText = (n: number) => (n < 1 ? `${(n * 1000).toFixed(0)} ms` : `${n.toFixed(2)} s`);

/** A Markdown table: the first row is the baseline, every row's ratios are against it. */
export function table(section: Section): string {
  const [baseline] = section.rows;
  const rows = section.rows.map(
    (r) =>
      `| ${r.name} | ${span(r.seconds, secondsText)} | ${ratio(r.seconds.median, baseline.seconds.median)} | ${span(r.maxRssMiB, (n) => `${n.toFixed(0)} MiB`)} |`,
  );
  return [
    `### ${section.title} (median, min–max of ${section.runs} runs)`,
    '',
    '| | time | vs first row | peak RSS |',
    '| --- | --- | --- | --- |',
    ...rows,
    ...(section.notes?.length ? ['', ...section.notes] : []),
  ].join('\n');
}

export function ratio(value: number, baseline: number): string {
  return `${(value / baseline).toFixed(2)}x`;
}
