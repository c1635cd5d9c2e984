/**
 * The informer against the real API server: a watch the server closes at the `timeoutSeconds` the
 * informer asked for resumes silently, and no change is missed across the reconnection.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import { ApiClient } from '../../client/transport/api-client.js';
import { inform } from '../../client/wait/informer.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';

describeCluster('the informer', () => {
  test('a watch closed by the server after the timeoutSeconds it asked for resumes silently, missing no change', async () => {
    const namespace = await createNamespace('informer');
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const controller = new AbortController();
    const retries: string[] = [];
    const seen: string[] = [];
    const informer = inform<Manifest>(ApiClient.fromKubeConfig(testKubeConfig()), {
      path: `/api/v1/namespaces/${namespace}/configmaps`,
      signal: controller.signal,
      watchTimeoutSeconds: 1,
      onList: () => {},
      // The controller-manager adds kube-root-ca.crt to every new namespace, before or after the list.
      onChange: (type, object) =>
        object.metadata.name !== 'kube-root-ca.crt' && seen.push(`${type} ${object.metadata.name}`),
      onRetry: (error) => retries.push((error as Error).message),
    });
    try {
      // Three of the server's closings (one a second), with a change after each.
      for (const name of ['a', 'b', 'c']) {
        await sleep(1500);
        await core.createNamespacedConfigMap({ namespace, body: { metadata: { name } } });
      }
      await eventually('the informer to see every change', () => (seen.length === 3 ? true : undefined));
    } finally {
      controller.abort();
      await informer;
    }
    expect(seen).toEqual(['ADDED a', 'ADDED b', 'ADDED c']);
    expect(retries).toEqual([]);
  });
});
