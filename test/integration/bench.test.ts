/**
 * The benchmark code, run small (N = 2, one run) against the test cluster: every table it prints has
 * its rows and sane figures, and what it applied is in the cluster. Times are never asserted here;
 * `npm run bench` compares them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { applySections, benchApply } from '../../bench/apply.js';
import { benchReadiness } from '../../bench/readiness.js';
import { benchFleetSynth, benchSynthCommand } from '../../bench/synth.js';
import { benchSynthInit } from '../../bench/synth-init.js';
import { firstRunTable, readFirstRun } from '../../bench/first-run.js';
import { evaluateTargets } from '../../bench/targets.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { PROJECT_ROOT } from '../util/project.js';
import { describeCluster, testKubeConfig } from './cluster.js';

describeCluster('npm run bench, small', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('first run: the builds the component cache recorded, each with sane figures, in its section', async () => {
    const firstRun = await readFirstRun(join(dir, 'results.json'));
    expect(firstRun.coldRun).toBeUndefined();
    for (const build of firstRun.builds) {
      expect(build.version).toMatch(/^v\d/);
      expect(build.seconds).toBeGreaterThan(0);
      expect(build.cpus).toBeGreaterThan(0);
      expect(build.loadAverage).toBeGreaterThanOrEqual(0);
    }
    expect(firstRunTable(firstRun)).toMatch(
      /^### First run: component builds recorded in this machine’s cache\n\n.*\n\nNo cold `.ci\/run` measured yet/s,
    );
  });

  test('synth: the whole-process table has the floor, ts-node and the default app', async () => {
    const section = await benchSynthCommand(1, PROJECT_ROOT, false);
    expect(section.rows.map((r) => r.name)).toEqual([
      expect.stringContaining('floor'),
      expect.stringContaining('ts-node'),
      expect.stringContaining('default app'),
    ]);
    for (const r of section.rows) {
      expect(r.seconds.min).toBeGreaterThan(0);
      expect(r.maxRssMiB.median).toBeGreaterThan(10);
    }
    // ts-node type-checks the whole project: minutes on a loaded machine.
  }, 900_000);

  test('synth in a repository made by init: the floor there, the former tsx command and the template', async () => {
    const section = await benchSynthInit(1, PROJECT_ROOT, false);
    expect(section.id).toBe('synth-init');
    expect(section.rows.map((r) => r.name)).toEqual([
      expect.stringContaining('floor'),
      expect.stringContaining('tsx'),
      expect.stringContaining('init template'),
    ]);
    for (const r of section.rows) {
      expect(r.seconds.min).toBeGreaterThan(0);
      expect(r.maxRssMiB.median).toBeGreaterThan(10);
    }
    const targets = evaluateTargets([section], []);
    expect(targets.find((t) => t.name.includes('made by `init`'))?.value).toBeGreaterThan(0);
    // npm pack builds the package, and init installs it.
  }, 600_000);

  test('synth of a fleet of 2: phases add up, the floor and memory are measured, no policy is broken', async () => {
    const { section, fleets } = await benchFleetSynth([2], 1, PROJECT_ROOT);
    const [fleet] = fleets;
    expect(fleet.services).toBe(2);
    // Per team: Namespace, quota, limits, scrape policy; per service: about 20 objects.
    expect(fleet.objects).toBeGreaterThan(30);
    const { build, resolve, policy, yaml, total } = fleet.phases;
    expect(build.median + resolve.median + policy.median + yaml.median).toBeCloseTo(total.median, 6);
    expect(fleet.floor.median).toBeGreaterThan(0);
    expect(fleet.maxRssMiB.median).toBeGreaterThan(10);
    expect(section.rows).toHaveLength(6);
  }, 120_000);

  test('apply of a fleet of 2 and readiness: every table, targets evaluated, the fleet in the cluster', async () => {
    const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
    const options = { kubeconfig, cwd: PROJECT_ROOT, dir };
    const results = await benchApply({
      ...options,
      services: 2,
      runs: 1,
      roundTripMs: 25,
      kubectl: binaryPath('kubectl'),
    });
    expect(results.map((r) => `${r.network}: ${r.scenario}`)).toEqual([
      'loopback: first apply',
      'loopback: unchanged re-apply',
      'loopback: 10% changed re-apply',
      '+25 ms round trip: first apply',
      '+25 ms round trip: unchanged re-apply',
      '+25 ms round trip: 10% changed re-apply',
    ]);
    for (const r of results) {
      expect(r.rows.map((row) => row.name)).toEqual([
        '`kubectl apply --server-side`',
        '`cdk8s-devops apply`',
      ]);
      expect(r.rows.every((row) => row.seconds.min > 0 && row.maxRssMiB.min > 10)).toBe(true);
    }
    // Both tools' copies are there, with the settings that YAML 1.1 would misread, as strings.
    const api = ApiClient.fromKubeConfig(testKubeConfig());
    for (const prefix of ['b10k', 'b10c', 'b11k', 'b11c']) {
      const settings = await api.request<Manifest & { data: Record<string, string> }>({
        path: `/api/v1/namespaces/${prefix}-team-0/configmaps/svc-1-settings`,
      });
      expect(settings.data).toEqual({
        CACHE: 'on',
        NEW_CHECKOUT: 'yes',
        UMASK: '0755',
        BATCH: '1e3',
        INDEX: '1',
      });
    }
    const readiness = await benchReadiness({ ...options, samples: 1 });
    expect(readiness.map((r) => r.name)).toEqual([
      expect.stringContaining('polling'),
      '`cdk8s-devops watch`',
    ]);
    expect(readiness.every((r) => r.seconds.median > 0 && r.maxRssMiB.median > 10)).toBe(true);
    const sections = [
      ...applySections(results, 1, 2),
      { id: 'readiness', title: 'readiness', runs: 1, rows: readiness },
    ];
    const targets = evaluateTargets(sections, []);
    expect(targets).toHaveLength(10);
    // Without the synth sections and the fleet of 500, those targets have no figure.
    expect(targets.filter((t) => Number.isFinite(t.value)).map((t) => t.name)).toEqual([
      'first apply, loopback: cdk8s-devops / kubectl',
      'first apply, +25 ms: kubectl / cdk8s-devops',
      'unchanged re-apply, +25 ms: kubectl / cdk8s-devops',
      'readiness, median from status write to `watch`',
      'peak RSS, `cdk8s-devops apply` of the fleet',
    ]);
  }, 900_000);
});
