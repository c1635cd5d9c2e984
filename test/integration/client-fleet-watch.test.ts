/**
 * `watch` and `status` over objects in many namespaces: their API requests grow with kinds, never with
 * namespaces or objects (counted by a proxy in front of the API server), and a deployer who may not list
 * across namespaces still gets every object watched, one collection per namespace.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../client/transport/resources.js';
import { startCountingProxy } from '../../bench/count-proxy.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { createNamespace, describeCluster, serverSideApply, writeKubeconfig } from './cluster.js';
import { cli, configMap, deployment, serviceAccountToken, writeManifests } from './client-cli.js';

/** A Pod that no scheduler takes: never ready, so that a wait runs to its timeout. */
const stuckPod = (namespace: string): Manifest => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'stuck', namespace },
  spec: { schedulerName: 'nobody', containers: [{ name: 'app', image: 'app:1' }] },
});

const team = (namespace: string) => [
  configMap(namespace, 'settings', { mode: 'on' }),
  deployment(namespace, 'web', 0),
  stuckPod(namespace),
];

/** `count` namespaces of a team each, applied as one ApplySet; resolves to the namespaces and the file. */
async function fleet(count: number): Promise<{ namespaces: string[]; file: string }> {
  const namespaces = await Promise.all(Array.from({ length: count }, () => createNamespace('fleet-watch')));
  const file = await writeManifests(namespaces.flatMap(team));
  const applied = await cli(['apply', file, '--applyset', 'fleet', '-n', namespaces[0], '--yes']);
  expect(applied.stderr).toBe('');
  return { namespaces, file };
}

/** What `watch` (to its timeout) and `status` print, and the requests each made through the proxy. */
async function watchAndStatus(file: string, namespace: string, kubeconfig: string, dir: string) {
  const proxy = await startCountingProxy(kubeconfig, join(dir, `${namespace}.kubeconfig`));
  try {
    const release = ['--applyset', 'fleet', '-n', namespace, '--kubeconfig', proxy.kubeconfig];
    // Long enough for every list on a loaded machine: then everything after the lists is counted too.
    const watch = await cli(['watch', file, ...release, '--timeout', '30s']);
    const watchRequests = [...proxy.requests];
    const status = await cli(['status', file, ...release]);
    return { watch, status, watchRequests, statusRequests: proxy.requests.slice(watchRequests.length) };
  } finally {
    await proxy.close();
  }
}

function expectEverySeen(run: Awaited<ReturnType<typeof watchAndStatus>>, namespaces: readonly string[]) {
  expect(run.watch.code).toBe(2);
  expect(run.watch.stdout).toContain(`watching ${namespaces.length * 3} objects`);
  expect(run.watch.stdout).toContain(
    `timed out: ${namespaces.length * 2} of ${namespaces.length * 3} objects ready`,
  );
  expect(run.status.code).toBe(2);
  for (const ns of namespaces) {
    expect(run.watch.stdout).toMatch(new RegExp(`Z ConfigMap/${ns}/settings ready$`, 'm'));
    expect(run.watch.stdout).toMatch(new RegExp(`Z Deployment/${ns}/web ready$`, 'm'));
    expect(run.status.stdout).toMatch(new RegExp(`^ConfigMap/${ns}/settings +ready$`, 'm'));
    expect(run.status.stdout).toMatch(new RegExp(`^Pod/${ns}/stuck +progressing`, 'm'));
  }
}

describeCluster('watch and status over many namespaces', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fleet-watch-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('as many API requests for four namespaces as for two: one collection per kind', async () => {
    const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
    const small = await fleet(2);
    const large = await fleet(4);
    const two = await watchAndStatus(small.file, small.namespaces[0], kubeconfig, dir);
    const four = await watchAndStatus(large.file, large.namespaces[0], kubeconfig, dir);
    expectEverySeen(two, small.namespaces);
    expectEverySeen(four, large.namespaces);
    // Pods, ReplicaSets, Deployments, ConfigMaps, Events and autoscalers, across namespaces.
    expect(four.watchRequests).toContain('GET /api/v1/pods');
    expect(four.watchRequests.filter((r) => r.includes('/namespaces/'))).toEqual([]);
    expect(four.watchRequests).toHaveLength(two.watchRequests.length);
    expect(four.statusRequests).toHaveLength(two.statusRequests.length);
  }, 300_000);

  test('a deployer who may only read in its namespaces: one collection per namespace, every object seen', async () => {
    const { namespaces, file } = await fleet(2);
    const rules = [
      { apiGroups: [''], resources: ['configmaps', 'pods', 'events'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['apps', 'autoscaling'],
        resources: ['deployments', 'replicasets', 'horizontalpodautoscalers'],
        verbs: ['get', 'list', 'watch'],
      },
    ];
    const [home] = namespaces;
    await serverSideApply([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: home } },
      ...namespaces.flatMap((namespace) => [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'Role',
          metadata: { name: 'reader', namespace },
          rules,
        },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'reader', namespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: home }],
        },
      ]),
    ] as Manifest[]);
    const kubeconfig = join(dir, 'reader.kubeconfig');
    await writeKubeconfig(kubeconfig, { token: await serviceAccountToken(home, 'reader') }, home);
    const run = await watchAndStatus(file, home, kubeconfig, dir);
    expectEverySeen(run, namespaces);
    expect(run.watch.stdout).not.toContain('forbidden');
    for (const ns of namespaces) {
      expect(run.watchRequests).toContainEqual(
        expect.stringMatching(`^GET /api/v1/namespaces/${ns}/pods\\?`),
      );
    }
  }, 300_000);
});
