/** The prod environment of the default app, applied by the client with its own ApplySet. */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { ApiClient } from '../../client/transport/api-client.js';
import { applySetId } from '../../client/plan/applyset.js';
import { defaultAppProject } from '../package/default-app.js';
import { cli } from './client-cli.js';
import { createNamespace, describeCluster, eventually, serverSideApply, testKubeConfig } from './cluster.js';

/**
 * Whether an Argo Rollouts controller serves the cluster (the harness starts one once it is built with
 * the other components): a Rollout of no pods gets a status from it within seconds, never without it.
 */
async function rolloutsControllerRuns(): Promise<boolean> {
  const namespace = await createNamespace('rollouts-probe');
  await serverSideApply([
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'probe', namespace },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'probe' } },
        template: {
          metadata: { labels: { app: 'probe' } },
          spec: { containers: [{ name: 'c', image: 'c:1' }] },
        },
        strategy: { canary: {} },
      },
    },
  ]);
  const api = ApiClient.fromKubeConfig(testKubeConfig());
  try {
    return await eventually(
      'a Rollout status',
      async () => {
        const rollout = await api.request<{ status?: unknown }>({
          path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/probe`,
        });
        return rollout.status === undefined ? undefined : true;
      },
      20_000,
    );
  } catch {
    return false;
  }
}

describeCluster('environments on a real control plane', () => {
  test('deploy --env prod synthesizes prod alone, applies it with its own ApplySet, and waits for it', async () => {
    const controller = await rolloutsControllerRuns();
    const namespace = `shop-prod-${randomBytes(3).toString('hex')}`;
    const dir = defaultAppProject((pkg) => {
      pkg['cdk8s-devops'].environments.prod.namespace = namespace;
    });
    const timeout = controller ? '4m' : '45s';
    const result = await cli(['deploy', '--env', 'prod', '--yes', '--timeout', timeout], { cwd: dir });
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['gitops', 'prod']);
    if (controller) {
      // deploy exits 0 only when the wait saw every object ready.
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const [, applied] = /applied (\d+) objects, pruned 0; recorded revision 1\n/.exec(result.stdout) ?? [];
      expect(Number(applied)).toBeGreaterThan(20);
      const api = ApiClient.fromKubeConfig(testKubeConfig());
      for (const name of ['api', 'storefront']) {
        const rollout = await api.request<{ status?: { phase?: string } }>({
          path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`,
        });
        expect({ name, phase: rollout.status?.phase }).toEqual({ name, phase: 'Healthy' });
      }
    } else {
      // Without the controller, the two Rollouts are all that stays unready; everything else is ready.
      expect(result.stderr).toBe(
        'error: 2 objects did not become ready:\n' +
          `  - Rollout/${namespace}/storefront: timed out: waiting for rollout spec update to be observed\n` +
          `  - Rollout/${namespace}/api: timed out: waiting for rollout spec update to be observed\n`,
      );
      expect(result.code).toBe(2);
    }

    const id = applySetId({ name: 'shop-prod', namespace, kind: 'Secret', group: '' });
    const kc = testKubeConfig();
    const parent = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'shop-prod', namespace });
    expect(parent.metadata?.labels?.['applyset.kubernetes.io/id']).toBe(id);
    const worker = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'orders-worker', namespace });
    expect(worker.metadata?.labels?.['applyset.kubernetes.io/part-of']).toBe(id);
    expect(worker.status?.readyReplicas).toBe(2);
    expect(worker.spec?.template.spec?.containers[0].image).toBe('ghcr.io/cdk8s-devops/orders-worker:1.4.2');
  }, 300_000);
});
