/**
 * The lock under throttling (issue 22, item 4): a second kube-apiserver on the test cluster's etcd with
 * one request in flight at most and priority and fairness off answers 429 to whatever comes while it is
 * busy. The lock is held through it by a ServiceAccount (the admin user, in system:masters, is never
 * throttled) while a write that never ends keeps it busy, so that renewals wait out 429s; once the Lease
 * is gone (broken, or released), no renewal may land and bring it back.
 */
import { request } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { Release } from '../../client/index.js';
import type { ExtraApiServer } from '../cluster/extra-apiserver.js';
import { startExtraApiServer } from '../cluster/extra-apiserver.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
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
 * Takes the server's one slot for writes and keeps it: a PATCH whose body never ends, which the server
 * counts in flight while it waits for the rest. Every other write is answered 429 until the returned
 * function ends it.
 */
async function holdTheWriteSlot(kc: KubeConfig, ns: string): Promise<() => void> {
  const cluster = kc.getCurrentCluster()!;
  const held = request(`${cluster.server}/api/v1/namespaces/${ns}/configmaps/busy`, {
    method: 'PATCH',
    ca: Buffer.from(cluster.caData!, 'base64'),
    headers: {
      Authorization: `Bearer ${kc.getCurrentUser()!.token}`,
      'Content-Type': CONTENT_TYPES.merge,
      'Content-Length': '1000',
    },
  });
  held.on('error', () => {});
  held.write('{');
  const probe = ApiClient.fromKubeConfig(kc, { retry: { retries: 0 } });
  await eventually('the server to refuse writes with 429', () =>
    probe
      .request({
        path: `/api/v1/namespaces/${ns}/configmaps/busy`,
        method: 'PATCH',
        contentType: CONTENT_TYPES.merge,
        body: { data: { probe: 'x' } },
      })
      .then(
        () => undefined,
        (error: ApiError) => (error.code === 429 ? true : undefined),
      ),
  );
  return () => held.destroy();
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

  test('renewals held back by 429s never bring back a Lease deleted meanwhile: the next apply is not refused', async () => {
    const ns = await createNamespace('client-throttled');
    const kc = await throttledUser(ns, extra.server);
    const admin = ApiClient.fromKubeConfig(testKubeConfig());
    await admin.request({
      path: `/api/v1/namespaces/${ns}/configmaps`,
      method: 'POST',
      body: configMap(ns, 'busy', {}),
    });
    const lease = () =>
      admin.request({ path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/app.lock` }).then(
        () => 'present',
        (error: ApiError) => String(error.code),
      );
    /** The Lease stays gone for `ms`, past any renewal's next retry. */
    const staysGone = async (ms: number) => {
      for (const end = Date.now() + ms; Date.now() < end;) {
        expect(await lease()).toBe('404');
        await sleep(250);
      }
    };
    const release = Release.connect({ kubeConfig: kc, name: 'app', namespace: ns });
    await release.locked('apply', async () => {
      expect(await lease()).toBe('present');
      const free = await holdTheWriteSlot(kc, ns);
      // Renewals come every 5 s: two of them meet 429s and wait to retry.
      await sleep(12_000);
      // Someone breaks the lock (`unlock`), and the server takes writes again.
      await admin.request({
        path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/app.lock`,
        method: 'DELETE',
      });
      free();
      await staysGone(8_000);
    });
    // The release (of a lock already lost) writes nothing either, and a renewal's retries end within 20 s.
    await staysGone(12_000);
    const next = Release.connect({ kubeConfig: kc, name: 'app', namespace: ns });
    await expect(next.locked('apply', () => Promise.resolve('locked'))).resolves.toBe('locked');
  });
});
