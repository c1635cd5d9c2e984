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
import { fleetObjects } from '../../bench/apply.js';
import { applySizes, benchApplySizes } from '../../bench/apply-sizes.js';
import { benchClusters } from '../../bench/clusters.js';
import { benchPublish } from '../../bench/publish.js';
import { benchReadiness } from '../../bench/readiness.js';
import { benchFleetWatch, fleetWatchSections } from '../../bench/fleet-watch.js';
import { benchFleetSynth, benchSynthCommand } from '../../bench/synth.js';
import { benchSynthInit } from '../../bench/synth-init.js';
import { firstRunTable, readFirstRun } from '../../bench/first-run.js';
import { applyTargets, evaluateTargets, severalClusterTargets } from '../../bench/targets.js';
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

  test('apply at every size, small, and readiness: every table, targets evaluated, the copies in the cluster', async () => {
    const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
    const options = { kubeconfig, cwd: PROJECT_ROOT, dir };
    const sizes = applySizes({ runs: 1, services: 2, largeServices: 3, largeRuns: 1, smallAppSize: 2 });
    expect(sizes.map((s) => [s.tag, s.objects.length])).toEqual([
      ['s', 7],
      ['m', fleetObjects(2).length],
      ['l', fleetObjects(3).length],
    ]);
    const shown: string[] = [];
    const applied = await benchApplySizes(
      sizes,
      { ...options, roundTripMs: 25, kubectl: binaryPath('kubectl') },
      (s) => shown.push(s.id),
    );
    const ids = (tag: string, scenarios: readonly string[]) =>
      ['loopback', '25-ms-round-trip'].flatMap((n) =>
        scenarios.map((s) => `apply-${tag}-${n}-${s.replace(/[^a-z0-9]+/g, '-')}`),
      );
    const firstAndUnchanged = ['first apply', 'unchanged re-apply'];
    expect(applied.map((s) => s.id)).toEqual([
      ...ids('s', firstAndUnchanged),
      ...ids('m', [...firstAndUnchanged, '10% changed re-apply']),
      ...ids('l', firstAndUnchanged),
    ]);
    expect(shown).toEqual(applied.map((s) => s.id));
    expect(applied[0].title).toBe(
      'Apply of the small app (2 each of ConfigMap, Service and Deployment) (7 objects), first apply, loopback',
    );
    for (const s of applied) {
      expect(s.rows.map((row) => row.name)).toEqual([
        '`kubectl apply --server-side`',
        '`cdk8s-devops apply`',
      ]);
      expect(s.rows.every((row) => row.seconds.min > 0 && row.maxRssMiB.min > 10)).toBe(true);
    }
    // Both tools' copies are there, with the settings that YAML 1.1 would misread, as strings.
    const api = ApiClient.fromKubeConfig(testKubeConfig());
    for (const prefix of ['m10k', 'm10c', 'm11k', 'm11c']) {
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
    // The small app's copies, each tool's, through the proxy too.
    for (const prefix of ['s11k', 's11c']) {
      const deployment = await api.request<Manifest>({
        path: `/apis/apps/v1/namespaces/${prefix}-team-0/deployments/app-1`,
      });
      expect(deployment.metadata.name).toBe('app-1');
    }
    const targets = applyTargets(applied, sizes);
    expect(targets.map((t) => t.name)).toEqual([
      ...[7, fleetObjects(2).length, fleetObjects(3).length].flatMap((n) =>
        firstAndUnchanged.flatMap((s) => [
          `${s}, ${n} objects, loopback: cdk8s-devops / kubectl`,
          `${s}, ${n} objects, +25 ms: kubectl / cdk8s-devops`,
        ]),
      ),
      `peak RSS, \`cdk8s-devops apply\` of ${fleetObjects(3).length} objects`,
    ]);
    expect(targets.every((t) => Number.isFinite(t.value) && t.value > 0)).toBe(true);
    const readiness = await benchReadiness({ ...options, samples: 1 });
    expect(readiness.map((r) => r.name)).toEqual([
      expect.stringContaining('polling'),
      '`cdk8s-devops watch`',
    ]);
    expect(readiness.every((r) => r.seconds.median > 0 && r.maxRssMiB.median > 10)).toBe(true);
    const sections = [...applied, { id: 'readiness', title: 'readiness', runs: 1, rows: readiness }];
    const evaluated = evaluateTargets(sections, []);
    expect(evaluated).toHaveLength(6);
    // Without the synth sections and the fleet of 500, those targets have no figure.
    expect(evaluated.filter((t) => Number.isFinite(t.value)).map((t) => t.name)).toEqual([
      'readiness, median from status write to `watch`',
    ]);
  }, 900_000);

  test('deploy of two environments, one after the other and at once: both tables, both deployed', async () => {
    // Both environments on the test cluster here: the structure; two planes are bench/index.ts's.
    const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
    const section = await benchClusters({
      runs: 1,
      kubeconfigs: { staging: kubeconfig, prod: kubeconfig },
      cwd: PROJECT_ROOT,
      dir,
    });
    expect(section.rows.map((r) => r.name)).toEqual(['`deploy`, one after the other', '`deploy`, at once']);
    expect(section.rows.every((r) => r.seconds.min > 0 && r.maxRssMiB.min > 10)).toBe(true);
    const api = ApiClient.fromKubeConfig(testKubeConfig());
    for (const namespace of ['bc10-staging', 'bc10-prod', 'bc11-staging', 'bc11-prod']) {
      const web = await api.request<{ status: { readyReplicas?: number } }>({
        path: `/apis/apps/v1/namespaces/${namespace}/deployments/web`,
      });
      expect(web.status.readyReplicas).toBe(2);
    }
    const [target] = severalClusterTargets([section]).filter((t) => Number.isFinite(t.value));
    expect(target.name).toBe(
      '`deploy` of two environments on two control planes: at once / one after the other',
    );
  }, 900_000);

  test('fleet watch of 2: each status write reported, memory and API requests counted', async () => {
    const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
    const results = await benchFleetWatch({ sizes: [2], samples: 2, kubeconfig, cwd: PROJECT_ROOT, dir });
    const [result] = results;
    expect(result.services).toBe(2);
    // The fleet and the two Pods the bench made ready.
    expect(result.objects).toBe(fleetObjects(2).length + 2);
    expect(result.latencies).toHaveLength(2);
    expect(result.latencies.every((s) => s > 0)).toBe(true);
    expect(result.watchingSeconds).toBeGreaterThan(0);
    expect(result.watchRssMiB).toBeGreaterThan(10);
    expect(result.statusRssMiB).toBeGreaterThan(10);
    // At least a list and a watch of each kind.
    expect(result.requests.watch).toBeGreaterThan(20);
    expect(result.requests.status).toBeGreaterThan(10);
    const [section] = fleetWatchSections(results);
    expect(section.id).toBe('fleet-watch-2');
    expect(section.rows.map((r) => r.name)).toEqual([
      'readiness: status write to `watch` report',
      '`status`, once',
    ]);
    expect(section.counts).toEqual({
      'watch requests': result.requests.watch,
      'status requests': result.requests.status,
    });
  }, 600_000);
});

describe('npm run bench, GitOps publish of a fleet of 2', () => {
  test("both commits measured against git, their bytes equal to git's for the same folders", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-publish-'));
    try {
      const { sections, bytes } = await benchPublish({ services: 2, runs: 1, cwd: PROJECT_ROOT, dir });
      expect(sections.map((s) => s.id)).toEqual(['publish-first', 'publish-second']);
      for (const section of sections) {
        expect(section.rows.map((r) => r.name)).toEqual([
          '`git add -A && git commit`',
          '`cdk8s-devops publish --no-synth`',
          '`git add -A && git commit && git push`',
        ]);
        // GNU time counts hundredths: git's commit of one changed file can take less than one.
        expect(section.rows.every((r) => r.seconds.min >= 0)).toBe(true);
        expect(section.rows[1].seconds.min).toBeGreaterThan(0);
      }
      // A fleet of 2 is one team's environment; the second commit holds one changed service.
      expect(bytes.first.git).toBeGreaterThan(50_000);
      expect(bytes.second.git).toBeLessThan(bytes.first.git / 2);
      expect(bytes).toEqual({
        first: { git: bytes.first.git, publish: bytes.first.git },
        second: { git: bytes.second.git, publish: bytes.second.git },
      });
      expect(
        severalClusterTargets(sections)
          .filter((t) => Number.isFinite(t.value))
          .map((t) => `${t.name}: ${t.value}`),
      ).toEqual([
        expect.stringMatching(/^GitOps publish of the fleet: `publish` \/ `git add -A && git commit`: /),
        'GitOps publish of the fleet: commit bytes, publish / git: 1',
        'GitOps publish, one service changed: commit bytes, publish / git: 1',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
