/**
 * The lock under throttling (issue 22, item 4): a second kube-apiserver on the test cluster's etcd with
 * one request in flight at most and priority and fairness off answers 429 to whatever comes while it is
 * busy. The lock is held through it by a ServiceAccount (the admin user, in system:masters, is never
 * throttled) while others keep it busy, so that renewals wait out 429s; once the holder released the
 * Lease, no renewal may land and bring it back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '../../client/api-client.js';
import { ApiClient, CONTENT_TYPES } from '../../client/api-client.js';
import { Release } from '../../client/index.js';
import type { ExtraApiServer } from '../cluster/extra-apiserver.js';
import { startExtraApiServer } from '../cluster/extra-apiserver.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { configMap, serviceAccountWithRole } from './client-cli.js';

/** A ServiceAccount that may use Leases and ConfigMaps in `ns`, and a kubeconfig for it on `server`. */
async function throttledUser(ns: string, server: string): Promise<KubeConfig> {
  const token = await serviceAccountWithRole(ns, 'deployer', [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['*'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['*'] },
  ]);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'throttled', server, caData: testKubeConfig().getCurrentCluster()!.caData }],
    users: [{ name: 'deployer', token }],
    contexts: [{ name: 'throttled', cluster: 'throttled', user: 'deployer', namespace: ns }],
    currentContext: 'throttled',
  });
  return kc;
}

/**
 * Writes a ConfigMap over and over from `workers` loops, without retries, until the returned function is
 * called; it resolves to how many writes the server refused with 429.
 */
function keepBusy(kc: KubeConfig, ns: string, workers: number): () => Promise<number> {
  const api = ApiClient.fromKubeConfig(kc, { retry: { retries: 0 } });
  let busy = true;
  let refused = 0;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = 0; busy; i++) {
      await api
        .request({
          path: `/api/v1/namespaces/${ns}/configmaps/busy`,
          method: 'PATCH',
          contentType: CONTENT_TYPES.merge,
          body: { data: { [`w${worker}`]: String(i) } },
        })
        .catch((error: ApiError) => {
          refused += error.code === 429 ? 1 : 0;
        });
    }
  });
  return async () => {
    busy = false;
    await Promise.all(loops);
    return refused;
  };
}

describeCluster('the lock under API throttling', () => {
  let extra: ExtraApiServer;

  beforeAll(async () => {
    extra = await startExtraApiServer(process.env[KUBECONFIG_VARIABLE]!, [
      '--enable-priority-and-fairness=false',
      '--max-requests-inflight=1',
      '--max-mutating-requests-inflight=1',
    ]);
  });

  afterAll(async () => {
    await extra?.stop();
  });

  test('renewals held back by 429s never bring a released Lease back: the next apply is not refused', async () => {
    const ns = await createNamespace('client-throttled');
    const kc = await throttledUser(ns, extra.server);
    const admin = ApiClient.fromKubeConfig(testKubeConfig());
    await admin.request({
      path: `/api/v1/namespaces/${ns}/configmaps`,
      method: 'POST',
      body: configMap(ns, 'busy', {}),
    });
    const release = Release.connect({ kubeConfig: kc, name: 'app', namespace: ns });
    const refused = await release.locked('apply', async () => {
      const stop = keepBusy(kc, ns, 12);
      // Long enough for several renewals (every 5 s) to meet 429s and wait them out.
      await sleep(22_000);
      return stop();
    });
    expect(refused).toBeGreaterThan(100);
    const lease = () =>
      admin.request({ path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/app.lock` }).then(
        () => 'present',
        (error: ApiError) => String(error.code),
      );
    // A renewal's retries last 20 s at most: the Lease must stay gone past that.
    for (const end = Date.now() + 22_000; Date.now() < end;) {
      expect(await lease()).toBe('404');
      await sleep(250);
    }
    const next = Release.connect({ kubeConfig: kc, name: 'app', namespace: ns });
    await expect(next.locked('apply', () => Promise.resolve('locked'))).resolves.toBe('locked');
  });
});
