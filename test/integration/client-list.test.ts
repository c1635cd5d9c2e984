/** A `kind: List` (as `kubectl get -o yaml` writes one) is applied item by item, as kubectl applies it. */
import { writeFile } from 'node:fs/promises';
import { toYaml } from '../util/yaml.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

describeCluster('a List of objects', () => {
  test('its items are applied and recorded, and the List itself is not taken for an object', async () => {
    const ns = await createNamespace('client-list');
    const file = await writeManifests([]);
    await writeFile(
      file,
      toYaml({
        apiVersion: 'v1',
        kind: 'List',
        metadata: { resourceVersion: '' },
        items: [configMap(ns, 'a', { x: '1' }), configMap(ns, 'b', { x: '2' })],
      }),
    );
    const run = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('applied 2 objects, pruned 0; recorded revision 1\n');
    const live = await ApiClient.fromKubeConfig(testKubeConfig()).request<{ items: Manifest[] }>({
      path: `/api/v1/namespaces/${ns}/configmaps`,
    });
    expect(live.items.map((c) => c.metadata.name).sort()).toEqual(['a', 'b', 'kube-root-ca.crt']);
  });
});
