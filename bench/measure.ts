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

export interface Measurement {
  readonly name: string;
  readonly seconds: number;
  readonly maxRssMiB: number;
}

/** Wall time and peak memory of one run, from GNU time. */
async function measureOnce(command: string, cwd: string): Promise<Measurement & { name: '' }> {
  const { stderr } = await run('/usr/bin/time', ['-f', 'BENCH %e %M', 'sh', '-c', `${command} >/dev/null`], {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
  });
  const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
  if (!line) {
    throw new Error(`no timing for: ${command}\n${stderr}`);
  }
  const [, seconds, kib] = line.split(' ');
  return { name: '', seconds: Number(seconds), maxRssMiB: Number(kib) / 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs every candidate `runs` times, round-robin after one warm-up each, and returns the medians. */
export async function compare(candidates: readonly Candidate[], options: { runs: number; cwd: string }) {
  const samples = new Map<string, Measurement[]>(candidates.map((c) => [c.name, []]));
  for (const c of candidates) {
    await measureOnce(c.command, options.cwd);
  }
  for (let i = 0; i < options.runs; i++) {
    for (const c of candidates) {
      samples.get(c.name)!.push({ ...(await measureOnce(c.command, options.cwd)), name: c.name });
    }
  }
  return candidates.map((c) => {
    const s = samples.get(c.name)!;
    return {
      name: c.name,
      seconds: median(s.map((m) => m.seconds)),
      maxRssMiB: median(s.map((m) => m.maxRssMiB)),
    };
  });
}

/** A Markdown table: the first row is the baseline, every row's ratios are against it. */
export function report(title: string, results: readonly Measurement[], runs: number): string {
  const [baseline] = results;
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.seconds.toFixed(2)} s | ${(r.seconds / baseline.seconds).toFixed(2)}x | ${r.maxRssMiB.toFixed(0)} MiB | ${(r.maxRssMiB / baseline.maxRssMiB).toFixed(2)}x |`,
  );
  return [
    `### ${title} (median of ${runs} runs each, interleaved)`,
    '',
    '| command | time | vs baseline | peak memory | vs baseline |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
