/** The targets of issues 16 and 27, each a ratio (or a figure) from one bench run, and whether it was met. */
import type { Scenario } from './apply.js';
import { applySectionId } from './apply.js';
import type { ApplySize } from './apply-sizes.js';
import { FIRST_AND_UNCHANGED } from './apply-sizes.js';
import type { ColdRun } from './first-run.js';
import { FIRST_RUN_LIMIT_MINUTES } from './first-run.js';
import type { Section } from './measure.js';
import type { FleetSynthResult } from './synth.js';

export interface Target {
  readonly name: string;
  /** What was measured: a ratio, seconds or MiB. */
  readonly value: number;
  readonly unit: 'x' | 's' | 'MiB' | 'min';
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
  const synthInit = section((id) => id === 'synth-init');
  const readiness = section((id) => id === 'readiness');
  const largest = fleets.find((f) => f.services === 500);
  return [
    target(
      '`cdk8s synth` of the default app / the CLI floor',
      median(synth, 2) / median(synth, 0),
      'x',
      '<=',
      1.25,
    ),
    target(
      '`cdk8s synth` in a repository made by `init` / the CLI floor there',
      median(synthInit, 2) / median(synthInit, 0),
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
    target('readiness, median from status write to `watch`', median(readiness, 1), 's', '<=', 0.1),
    target('peak RSS, in-process synth of N = 500', largest?.maxRssMiB.max ?? NaN, 'MiB', '<=', 500),
  ];
}

/** Issue 27's two clusters at once and GitOps publish: each a ratio against its section's first row. */
export function severalClusterTargets(sections: readonly Section[]): Target[] {
  const byId = (id: string) => sections.find((s) => s.id === id);
  const vsFirstRow = (id: string) =>
    (byId(id)?.rows[1]?.seconds.median ?? NaN) / (byId(id)?.rows[0]?.seconds.median ?? NaN);
  const bytes = (id: string) =>
    (byId(id)?.figures?.publishCommitBytes ?? NaN) / (byId(id)?.figures?.gitCommitBytes ?? NaN);
  const deploy = '`deploy` of two environments on two control planes: at once / one after the other';
  return [
    target(deploy, vsFirstRow('deploy-two-clusters'), 'x', '<=', 0.75),
    target(
      'GitOps publish of the fleet: `publish` / `git add -A && git commit`',
      vsFirstRow('publish-first'),
      'x',
      '<=',
      1.5,
    ),
    target('GitOps publish of the fleet: commit bytes, publish / git', bytes('publish-first'), 'x', '<=', 1),
    target(
      'GitOps publish, one service changed: commit bytes, publish / git',
      bytes('publish-second'),
      'x',
      '<=',
      1,
    ),
  ];
}

/** Issue 27's fleet watch (fleet-watch.ts): readiness and memory at N = 500, requests equal at 100 and 500. */
export function fleetWatchTargets(sections: readonly Section[]): Target[] {
  const section = (id: string) => sections.find((s) => s.id === id);
  const watchSmall = section('fleet-watch-100');
  const watchLarge = section('fleet-watch-500');
  const requests = (name: string) =>
    (watchLarge?.counts?.[name] ?? NaN) / (watchSmall?.counts?.[name] ?? NaN);
  return [
    target(
      'fleet watch, N = 500: readiness, median from status write to `watch`',
      watchLarge?.rows[0]?.seconds.median ?? NaN,
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

/**
 * Issue 27, apply at every size (see apply-sizes.ts): per size, first apply and unchanged re-apply, never
 * slower than kubectl on loopback and at least 5x faster through the proxy; and the peak RSS of `apply` at
 * the largest size.
 */
export function applyTargets(sections: readonly Section[], sizes: readonly ApplySize[]): Target[] {
  const ratio = (tag: string, network: string, scenario: Scenario, tool: 0 | 1) => {
    const s = sections.find((x) => x.id === applySectionId(tag, network, scenario));
    return (s?.rows[tool]?.seconds.median ?? NaN) / (s?.rows[1 - tool]?.seconds.median ?? NaN);
  };
  const largest = sizes.at(-1);
  const rss = sections
    .filter((s) => largest && s.id.startsWith(`apply-${largest.tag}-`))
    .map((s) => s.rows[1]?.maxRssMiB.max ?? NaN);
  return [
    ...sizes.flatMap((size) => {
      const objects = size.objects.length;
      return FIRST_AND_UNCHANGED.flatMap((scenario) => [
        target(
          `${scenario}, ${objects} objects, loopback: cdk8s-devops / kubectl`,
          ratio(size.tag, 'loopback', scenario, 1),
          'x',
          '<=',
          1,
        ),
        target(
          `${scenario}, ${objects} objects, +25 ms: kubectl / cdk8s-devops`,
          ratio(size.tag, '+25 ms round trip', scenario, 0),
          'x',
          '>=',
          5,
        ),
      ]);
    }),
    target(
      `peak RSS, \`cdk8s-devops apply\` of ${largest?.objects.length ?? 0} objects`,
      rss.length > 0 ? Math.max(...rss) : NaN,
      'MiB',
      '<=',
      500,
    ),
  ];
}

/** Issue 27: the whole first `npm test` (`.ci/run`) from a fresh clone with empty caches; NaN unmeasured. */
export function firstRunTarget(coldRun: ColdRun | undefined): Target {
  return target(
    'first `.ci/run` from a fresh clone, empty caches (`npm run bench:first-run`)',
    coldRun && coldRun.exitCode === 0 ? coldRun.seconds / 60 : NaN,
    'min',
    '<=',
    FIRST_RUN_LIMIT_MINUTES,
  );
}

export function targetsTable(targets: readonly Target[]): string {
  const figure = (t: Target) =>
    // NaN when not measured; JSON writes it as null, which is how results.json gives it back.
    !Number.isFinite(t.value)
      ? 'not measured'
      : t.unit === 'x'
        ? `${t.value.toFixed(2)}x`
        : t.unit === 's'
          ? `${(t.value * 1000).toFixed(0)} ms`
          : t.unit === 'min'
            ? `${t.value.toFixed(1)} min`
            : `${t.value.toFixed(0)} MiB`;
  const limit = (t: Target) =>
    t.unit === 'x' ? `${t.limit}x` : t.unit === 's' ? `${t.limit * 1000} ms` : `${t.limit} ${t.unit}`;
  return [
    '### Targets (issues 16 and 27)',
    '',
    '| target | measured | limit | met |',
    '| --- | --- | --- | --- |',
    ...targets.map(
      (t) => `| ${t.name} | ${figure(t)} | ${t.comparison} ${limit(t)} | ${t.met ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
}
