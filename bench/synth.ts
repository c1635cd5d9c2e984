/**
 * Synth benchmarks. Whole process, as a user runs it: `cdk8s synth` of the default app against the same
 * CLI with the stock TypeScript app command (ts-node, which type-checks on every run; in an ES module
 * project on Node 20 `npx ts-node main.ts` is spelled `node --loader ts-node/esm main.ts`) and against
 * the CLI's own floor (an app that writes nothing). In process: the fleet's synth phase by phase
 * against JSON.stringify plus a plain YAML dump of the same objects.
 */
import type { FleetSynthSample } from './synth-fleet.js';
import type { Candidate, Row, Section, Stats } from './measure.js';
import { compare, measureOnce, stats } from './measure.js';

export const CDK8S = 'node_modules/.bin/cdk8s synth --no-check-upgrade';

/** The CLI's floor in a project: `cdk8s synth` of `app`, an app that writes nothing (bench/empty-app.mjs). */
export function cliFloor(app: string): Candidate {
  return {
    name: 'floor: `cdk8s synth` of an app that writes nothing',
    command: `${CDK8S} --app "node ${app}"`,
  };
}

export async function benchSynthCommand(runs: number, cwd: string, warmUp = true): Promise<Section> {
  const rows = await compare(
    [
      cliFloor('bench/empty-app.mjs'),
      {
        name: 'stock: `cdk8s synth` with `node --loader ts-node/esm main.ts`',
        command: `${CDK8S} --app "node --no-warnings --loader ts-node/esm main.ts"`,
      },
      { name: '`npm run synth` of the default app (cdk8s.yaml app command)', command: CDK8S },
    ],
    { runs, cwd, warmUp },
  );
  return { id: 'synth-command', title: '`cdk8s synth` of the default app, whole process', runs, rows };
}

export interface FleetSynthResult {
  readonly section: Section;
  /** Per fleet size: the phases' medians and the floor's. */
  readonly fleets: readonly {
    readonly services: number;
    readonly objects: number;
    readonly phases: Readonly<Record<keyof FleetSynthSample['synth'], Stats>>;
    readonly floor: Stats;
    readonly maxRssMiB: Stats;
  }[];
}

/** The fleet's in-process synth, each size in fresh processes, sizes interleaved. */
export async function benchFleetSynth(
  sizes: readonly number[],
  runs: number,
  cwd: string,
): Promise<FleetSynthResult> {
  const samples = new Map<number, FleetSynthSample[]>(sizes.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    for (const services of sizes) {
      const { stdout } = await measureOnce(`node cli/run-bundled.mjs bench/synth-fleet.ts ${services}`, cwd);
      samples.get(services)!.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as FleetSynthSample);
    }
  }
  const fleets = sizes.map((services) => {
    const s = samples.get(services)!;
    const phase = (key: keyof FleetSynthSample['synth']) => stats(s.map((x) => x.synth[key]));
    return {
      services,
      objects: s[0].objects,
      phases: {
        build: phase('build'),
        resolve: phase('resolve'),
        policy: phase('policy'),
        yaml: phase('yaml'),
        total: phase('total'),
      },
      floor: stats(s.map((x) => x.floor.total)),
      maxRssMiB: stats(s.map((x) => x.maxRssMiB)),
    };
  });
  const rows: Row[] = fleets.flatMap((f) => {
    const rss = f.maxRssMiB;
    const zero = { median: 0, min: 0, max: 0 };
    const label = `N = ${f.services} (${f.objects} objects)`;
    return [
      { name: `${label}: floor, JSON.stringify + plain YAML dump`, seconds: f.floor, maxRssMiB: zero },
      { name: `${label}: synth`, seconds: f.phases.total, maxRssMiB: rss },
      ...(['build', 'resolve', 'policy', 'yaml'] as const).map((p) => ({
        name: `${label}: · ${PHASES[p]}`,
        seconds: f.phases[p],
        maxRssMiB: zero,
      })),
    ];
  });
  return {
    section: {
      id: 'synth-fleet',
      title: 'In-process synth of the fleet, by phase',
      runs,
      rows,
      notes: [
        'Ratios are against the first row; per size, compare `synth` with its `floor` row (see the targets).',
      ],
    },
    fleets,
  };
}

const PHASES = {
  build: 'tree building',
  resolve: 'validation, dependencies, resolving',
  policy: 'policy checks',
  yaml: 'YAML writing (1.1, to files)',
} as const;
