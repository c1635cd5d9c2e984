/**
 * The benchmark code, run small (N = 2, one run) against the test cluster: every table it prints has
 * its rows and sane figures, and what it applied is in the cluster. Times are never asserted here;
 * `npm run bench` compares them. Also: the YAML synth writes is what the API server reads back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { fileYaml, resolveApp } from '../../lib/core/synth.js';
import * as plus from '../../lib/core/plus.js';
import { applySections, benchApply } from '../../bench/apply.js';
import { benchReadiness } from '../../bench/readiness.js';
import { benchFleetWatch, fleetWatchSections } from '../../bench/fleet-watch.js';
import { fleetObjects } from '../../bench/apply.js';
import { benchFleetSynth, benchSynthCommand } from '../../bench/synth.js';
import { evaluateTargets } from '../../bench/targets.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { PROJECT_ROOT } from '../util/project.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';

/** Strings that YAML 1.1, the API server's YAML, reads as booleans, numbers, dates or null when plain. */
const YAML_11_EDGES = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'Y',
  'N',
  'True',
  'null',
  '~',
  '',
  '0755',
  '010',
  '1e3',
  '1E3',
  '-1e3',
  '1_000',
  '0x1F',
  '0o17',
  '0O17',
  '0X1F',
  '1__0',
  '+_1',
  '0b101',
  '+12',
  '.5',
  '1.0',
  '.inf',
  '-.Inf',
  '.nan',
  '12:30',
  '190:20:30',
  '2001-12-14',
  '2001-12-14T21:59:43Z',
  '=',
  '<<',
  '- a',
  'a: b',
  '#x',
  "it's",
  'tab\there',
  'multi\nline',
  '--config',
  '-',
  '---',
  '...',
  '? x',
  'key: "q"',
  ' lead',
  'trail ',
  'ends\n',
  '*alias',
  '&anchor',
  '!tag',
  '%directive',
  '@at',
  '`tick',
  '{x}',
  '[x]',
  '|',
  '>',
  'a #b',
  'http://host:80/path',
  'next\u0085line',
  'emoji \u{1F600}',
];

/** POSTs `yaml` as the request body (application/yaml), so that the server's own YAML decoder reads it. */
async function postYaml(path: string, yaml: string): Promise<Manifest> {
  const kc = testKubeConfig();
  const url = new URL(kc.getCurrentCluster()!.server + path);
  const options: RequestOptions = {
    method: 'POST',
    headers: { 'Content-Type': 'application/yaml', Accept: 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        (res.statusCode ?? 500) < 300 ? resolve(JSON.parse(body) as Manifest) : reject(new Error(body)),
      );
    });
    req.on('error', reject);
    req.end(yaml);
  });
}

describeCluster('YAML as the API server reads it', () => {
  test('strings YAML 1.1 would read as something else come back as the same strings', async () => {
    const ns = await createNamespace('bench-yaml');
    const data = Object.fromEntries(YAML_11_EDGES.map((value, i) => [`k${i}`, value]));
    const app = new App({ outdir: '/dev/null' });
    new plus.k8s.KubeConfigMap(new Chart(app, 'edges', { namespace: ns }), 'edges', {
      metadata: { name: 'edges' },
      data,
    });
    const [file] = resolveApp(app);
    const stored = await postYaml(`/api/v1/namespaces/${ns}/configmaps`, fileYaml(file));
    expect(stored.data).toEqual(data);
  });
});

describeCluster('npm run bench, small', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
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
    expect(targets).toHaveLength(13);
    // Without the synth sections, the fleet of 500 and the fleet watch, those targets have no figure.
    expect(targets.filter((t) => Number.isFinite(t.value)).map((t) => t.name)).toEqual([
      'first apply, loopback: cdk8s-devops / kubectl',
      'first apply, +25 ms: kubectl / cdk8s-devops',
      'unchanged re-apply, +25 ms: kubectl / cdk8s-devops',
      'readiness, median from status write to `watch`',
      'peak RSS, `cdk8s-devops apply` of the fleet',
    ]);
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
