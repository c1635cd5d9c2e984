/**
 * The API server killed and restarted in the middle of an apply of a few hundred objects, and of a watch.
 * These tests start a control plane of their own, so that the restart leaves the shared one alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient } from '../../client/transport/api-client.js';
import { APPLYSET_LABELS } from '../../client/plan/applyset.js';
import type { Manifest } from '../../client/transport/resources.js';
import { Release } from '../../client/index.js';
import { ControlPlane } from '../cluster/control-plane.js';
import { describeCluster, eventually } from './cluster.js';
import { configMap } from './client-cli.js';

const NAMESPACES = ['restart-a', 'restart-b', 'restart-c'];

function app(version: string): Manifest[] {
  return [
    ...NAMESPACES.map((name): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...NAMESPACES.flatMap((ns) =>
      Array.from({ length: 100 }, (_, i) => configMap(ns, `settings-${i}`, { version, index: String(i) })),
    ),
  ];
}

describeCluster('an API server restart', () => {
  let plane: ControlPlane;
  let kubeConfig: KubeConfig;

  beforeAll(async () => {
    plane = await ControlPlane.start({ nodes: 1 });
    kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfig);
  });

  afterAll(async () => {
    await plane?.stop();
  });

  test('during an apply of 303 objects: the apply retries or fails clearly, nothing is pruned, and a second run converges', async () => {
    const release = Release.connect({ kubeConfig, name: 'big', namespace: 'default' });
    let applied = 0;
    // Set from the progress callback, which TypeScript cannot follow: a holder keeps the type honest.
    const restarts: Promise<void>[] = [];
    const first = await release
      .apply(await release.changeSet(app('1')), {
        onObject: () => {
          applied++;
          if (applied === 60) {
            // Down for a while, as when a managed control plane rolls its API servers.
            restarts.push(plane.restart('kube-apiserver', () => sleep(1000)));
          }
        },
      })
      .then(
        () => 'finished',
        (error: Error) => error.message,
      );
    await Promise.all(restarts);
    expect(restarts).toHaveLength(1);
    // Either the retries carried it through, or it stopped naming what it could not reach.
    expect(first).toMatch(/^finished$|cannot reach the API server at https:\/\/127\.0\.0\.1:\d+/);

    const second = await release.apply(await release.changeSet(app('1')));
    expect(second.applied).toHaveLength(303);
    expect(second.pruned).toEqual([]);
    const changeSet = await release.changeSet(app('1'));
    expect(changeSet.summary).toEqual({ create: 0, update: 0, delete: 0, unchanged: 303, conflict: 0 });

    // An interrupted second version must not prune anything either.
    let updated = 0;
    const third = await release
      .apply(await release.changeSet(app('2').slice(0, 203)), {
        onObject: () => {
          if (++updated === 30) {
            restarts.push(plane.restart('kube-apiserver'));
          }
        },
      })
      .then(
        (result) => result.pruned.length,
        (error: Error) => error.message,
      );
    await Promise.all(restarts);
    expect(restarts).toHaveLength(2);
    const api = ApiClient.fromKubeConfig(kubeConfig);
    const members = await Promise.all(
      NAMESPACES.map((ns) =>
        api.request<{ items: Manifest[] }>({
          path: `/api/v1/namespaces/${ns}/configmaps`,
          query: { labelSelector: `${APPLYSET_LABELS.partOf}=${release.applySet.id}` },
        }),
      ),
    );
    const count = members.reduce((total, list) => total + list.items.length, 0);
    // Pruned only if the apply finished, and then exactly the 100 objects that left.
    expect(third === 100 ? count === 200 : typeof third === 'string' && count === 300).toBe(true);

    const converged = await release.apply(await release.changeSet(app('2').slice(0, 203)));
    expect(converged.applied).toHaveLength(203);
    expect((await release.changeSet(app('2').slice(0, 203))).summary).toEqual({
      create: 0,
      update: 0,
      delete: 0,
      unchanged: 203,
      conflict: 0,
    });
  });

  test('during a watch: the watch resumes, is told 410 Gone, lists again and still sees the object become ready', async () => {
    const release = Release.connect({ kubeConfig, name: 'watched', namespace: 'default' });
    const retries: unknown[] = [];
    const statuses: string[] = [];
    const watching = release.watch([configMap('default', 'late', { x: '1' })], {
      timeoutMs: 90_000,
      onRetry: (error) => retries.push(error),
      onStatus: (s) => statuses.push(s.readiness.state),
    });
    await eventually('the first list', () => (statuses.length > 0 ? true : undefined));
    expect(statuses).toEqual(['progressing']);
    // A write the watch does not see moves the cluster past the watch's resourceVersion, so the restarted
    // server's cache starts after it: resuming there is answered with 410 Gone, and the watch lists again.
    await ApiClient.fromKubeConfig(kubeConfig).request({
      path: '/api/v1/namespaces/default/configmaps',
      method: 'POST',
      body: configMap('default', 'unwatched', { x: '1' }),
    });
    await plane.restart('kube-apiserver');
    await ApiClient.fromKubeConfig(kubeConfig).request({
      path: '/api/v1/namespaces/default/configmaps',
      method: 'POST',
      body: configMap('default', 'late', { x: '1' }),
    });
    const result = await watching;
    expect(result.outcome).toBe('ready');
    expect(retries.map((e) => (e as Error).message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^watch of \/api\/v1\/namespaces\/default\/configmaps: too old resource version: \d+ \(\d+\)$/,
        ),
      ]),
    );
    expect(statuses.at(-1)).toBe('ready');
  });
});
