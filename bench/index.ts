/**
 * `npm run bench [-- --runs N --apply-runs N --apply-services N --apply-large-services N --apply-large-runs N
 * --watch-sizes 100,500 --watch-samples N --clusters-runs N --publish-runs N --publish-services N]`:
 * every benchmark, printed as Markdown
 * tables of ratios against a baseline measured in the same run, and written to bench/results.json with
 * the targets of issues 16 and 27 and the versions used.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { binaryPath } from '../test/cluster/components.js';
import { VERSIONS } from '../test/cluster/versions.js';
import { ControlPlane } from '../test/cluster/control-plane.js';
import { PROJECT_ROOT } from '../scripts/import-crds.js';
import { applySizes, benchApplySizes } from './apply-sizes.js';
import { benchClusters } from './clusters.js';
import { firstRunTable, readFirstRun } from './first-run.js';
import { benchPublish } from './publish.js';
import type { Section } from './measure.js';
import { table } from './measure.js';
import { benchReadiness } from './readiness.js';
import { benchFleetWatch, fleetWatchSections } from './fleet-watch.js';
import { benchFleetSynth, benchSynthCommand } from './synth.js';
import { benchSynthInit } from './synth-init.js';
import {
  applyTargets,
  evaluateTargets,
  firstRunTarget,
  fleetWatchTargets,
  severalClusterTargets,
  targetsTable,
} from './targets.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'fleet-runs': { type: 'string', default: '3' },
    'apply-runs': { type: 'string', default: '2' },
    'apply-services': { type: 'string', default: '100' },
    // About 12,000 objects; kubectl applies them through the proxy in about 7 minutes a scenario.
    'apply-large-services': { type: 'string', default: '465' },
    'apply-large-runs': { type: 'string', default: '1' },
    'readiness-samples': { type: 'string', default: '9' },
    'clusters-runs': { type: 'string', default: '5' },
    'publish-runs': { type: 'string', default: '3' },
    'publish-services': { type: 'string', default: '500' },
    'watch-sizes': { type: 'string', default: '100,500' },
    'watch-samples': { type: 'string', default: '21' },
    output: { type: 'string', default: join(PROJECT_ROOT, 'bench', 'results.json') },
  },
});
const count = (name: keyof typeof values) => Number(values[name]);
const started = Date.now();
const sections: Section[] = [];
const show = (section: Section) => {
  sections.push(section);
  console.log(`${table(section)}\n`);
};

const firstRun = await readFirstRun(values.output);
console.log(`${firstRunTable(firstRun)}\n`);
show(await benchSynthCommand(count('runs'), PROJECT_ROOT));
show(await benchSynthInit(count('runs'), PROJECT_ROOT));
const fleet = await benchFleetSynth([10, 100, 500], count('fleet-runs'), PROJECT_ROOT);
show(fleet.section);

const dir = await mkdtemp(join(tmpdir(), 'bench-'));
// The API server, the node controllers and the CRDs, without the engines (see ControlPlaneOptions.engines).
const BENCH_PLANE = { nodes: 1, engines: false };
// The fleet watch on a control plane of its own: thousands of objects and Pods load its controllers.
const watchPlane = await ControlPlane.start(BENCH_PLANE);
try {
  const sizes = values['watch-sizes'].split(',').map(Number);
  const results = await benchFleetWatch({
    sizes,
    samples: count('watch-samples'),
    kubeconfig: watchPlane.kubeconfig,
    cwd: PROJECT_ROOT,
    dir,
  });
  fleetWatchSections(results).forEach(show);
} finally {
  await watchPlane.stop();
}

const plane = await ControlPlane.start(BENCH_PLANE);
try {
  const sizes = applySizes({
    runs: count('apply-runs'),
    services: count('apply-services'),
    largeServices: count('apply-large-services'),
    largeRuns: count('apply-large-runs'),
  });
  await benchApplySizes(
    sizes,
    { roundTripMs: 25, kubeconfig: plane.kubeconfig, kubectl: binaryPath('kubectl'), cwd: PROJECT_ROOT, dir },
    show,
  );
  show({
    id: 'readiness',
    title: 'Readiness latency: status write to report',
    runs: count('readiness-samples'),
    rows: await benchReadiness({
      samples: count('readiness-samples'),
      kubeconfig: plane.kubeconfig,
      cwd: PROJECT_ROOT,
      dir,
    }),
  });
  // Two environments, each on its own control plane: the one above and a second one.
  const second = await ControlPlane.start(BENCH_PLANE);
  try {
    show(
      await benchClusters({
        runs: count('clusters-runs'),
        kubeconfigs: { staging: plane.kubeconfig, prod: second.kubeconfig },
        cwd: PROJECT_ROOT,
        dir,
      }),
    );
  } finally {
    await second.stop();
  }
  const publish = await benchPublish({
    services: count('publish-services'),
    runs: count('publish-runs'),
    cwd: PROJECT_ROOT,
    dir,
  });
  publish.sections.forEach(show);
  const targets = [
    ...evaluateTargets(sections, fleet.fleets),
    ...fleetWatchTargets(sections),
    ...applyTargets(sections, sizes),
    ...severalClusterTargets(sections),
    firstRunTarget(firstRun.coldRun),
  ];
  console.log(targetsTable(targets));
  const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string }>;
  };
  const kubectlVersion = await promisify(execFile)(binaryPath('kubectl'), [
    'version',
    '--client',
    '-o',
    'json',
  ]);
  await writeFile(
    values.output,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        minutes: (Date.now() - started) / 60_000,
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model },
        versions: {
          node: process.version,
          kubernetes: VERSIONS.kubernetes,
          kubectl: (JSON.parse(kubectlVersion.stdout) as { clientVersion: { gitVersion: string } })
            .clientVersion.gitVersion,
          ...Object.fromEntries(
            ['cdk8s', 'cdk8s-cli', 'cdk8s-plus-27', 'js-yaml', 'ts-node', 'tsx', 'esbuild'].map((name) => [
              name,
              pkg.packages[`node_modules/${name}`]?.version,
            ]),
          ),
        },
        sections,
        fleetSynth: fleet.fleets,
        firstRun,
        targets,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`\nwritten to ${values.output} in ${((Date.now() - started) / 60_000).toFixed(1)} minutes`);
} finally {
  await plane.stop();
  await rm(dir, { recursive: true, force: true });
}
