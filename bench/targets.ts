/** The targets of issue 16, each a ratio (or a figure) from one bench run, and whether it was met. */
import type { Section } from './measure.js';
import type { FleetSynthResult } from './synth.js';

export interface Target {
  readonly name: string;
  /** What was measured: a ratio, seconds or MiB. */
  readonly value: number;
  readonly unit: 'x' | 's' | 'MiB';
  /** `<=` or `>=` the limit. */
  readonly limit: number;
  readonly comparison: '<=' | '>=';
  readonly met: boolean;
}

export function target(
  name: string,
  value: number,
  unit: Target['unit'],
  comparison: Target['comparison'],
  limit: number,
) {
  return { name, value, unit, comparison, limit, met: comparison === '<=' ? value <= limit : value >= limit };
}

export function evaluateTargets(sections: readonly Section[], fleets: FleetSynthResult['fleets']): Target[] {
  const section = (test: (id: string) => boolean) => sections.find((s) => test(s.id));
  const median = (s: Section | undefined, row: number) => s?.rows[row]?.seconds.median ?? NaN;
  const synth = section((id) => id === 'synth-command');
  const apply = (network: 'loopback' | 'round-trip', scenario: string) =>
    section((id) => id.startsWith('apply-') && id.includes(network) && id.endsWith(scenario));
  const firstLoopback = apply('loopback', 'first-apply');
  const firstProxied = apply('round-trip', 'first-apply');
  const unchangedProxied = apply('round-trip', 'unchanged-re-apply');
  const readiness = section((id) => id === 'readiness');
  const largest = fleets.find((f) => f.services === 500);
  const watchSmall = section((id) => id === 'fleet-watch-100');
  const watchLarge = section((id) => id === 'fleet-watch-500');
  const requests = (name: string) =>
    (watchLarge?.counts?.[name] ?? NaN) / (watchSmall?.counts?.[name] ?? NaN);
  const applyRss = Math.max(
    ...sections.filter((s) => s.id.startsWith('apply-')).map((s) => s.rows[1]?.maxRssMiB.max ?? NaN),
  );
  return [
    target(
      '`cdk8s synth` of the default app / the CLI floor',
      median(synth, 2) / median(synth, 0),
      'x',
      '<=',
      1.25,
    ),
    target(
      'stock ts-node synth / `cdk8s synth` of the default app',
      median(synth, 1) / median(synth, 2),
      'x',
      '>=',
      4.5,
    ),
    target(
      'in-process synth of N = 500 / JSON + YAML floor',
      largest ? largest.phases.total.median / largest.floor.median : NaN,
      'x',
      '<=',
      1.5,
    ),
    target(
      'first apply, loopback: cdk8s-devops / kubectl',
      median(firstLoopback, 1) / median(firstLoopback, 0),
      'x',
      '<=',
      1,
    ),
    target(
      'first apply, +25 ms: kubectl / cdk8s-devops',
      median(firstProxied, 0) / median(firstProxied, 1),
      'x',
      '>=',
      5,
    ),
    target(
      'unchanged re-apply, +25 ms: kubectl / cdk8s-devops',
      median(unchangedProxied, 0) / median(unchangedProxied, 1),
      'x',
      '>=',
      5,
    ),
    target('readiness, median from status write to `watch`', median(readiness, 1), 's', '<=', 0.1),
    target('peak RSS, in-process synth of N = 500', largest?.maxRssMiB.max ?? NaN, 'MiB', '<=', 500),
    target('peak RSS, `cdk8s-devops apply` of the fleet', applyRss, 'MiB', '<=', 500),
    target(
      'fleet watch, N = 500: readiness, median from status write to `watch`',
      median(watchLarge, 0),
      's',
      '<=',
      0.1,
    ),
    target(
      'fleet watch, N = 500: peak RSS of `watch`',
      watchLarge?.rows[0]?.maxRssMiB.max ?? NaN,
      'MiB',
      '<=',
      300,
    ),
    target(
      'fleet watch: API requests of `watch`, N = 500 / N = 100',
      requests('watch requests'),
      'x',
      '<=',
      1,
    ),
    target(
      'fleet watch: API requests of `status`, N = 500 / N = 100',
      requests('status requests'),
      'x',
      '<=',
      1,
    ),
  ];
}

export function targetsTable(targets: readonly Target[]): string {
  const figure = (t: Target) =>
    t.unit === 'x'
      ? `${t.value.toFixed(2)}x`
      : t.unit === 's'
        ? `${(t.value * 1000).toFixed(0)} ms`
        : `${t.value.toFixed(0)} MiB`;
  const limit = (t: Target) =>
    t.unit === 'x' ? `${t.limit}x` : t.unit === 's' ? `${t.limit * 1000} ms` : `${t.limit} MiB`;
  return [
    '### Targets (issue 16)',
    '',
    '| target | measured | limit | met |',
    '| --- | --- | --- | --- |',
    ...targets.map(
      (t) => `| ${t.name} | ${figure(t)} | ${t.comparison} ${limit(t)} | ${t.met ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
}
