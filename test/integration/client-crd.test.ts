/** A CRD and its custom resources in one app: ordered, waited for, and pruned in reverse order. */
import { ApiClient } from '../../client/transport/api-client.js';
import { APPLYSET_ANNOTATIONS } from '../../client/plan/applyset.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, namespacedCrd, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());

describeCluster('an app that brings its own CustomResourceDefinition', () => {
  test('the CRD is applied and Established before its custom resources, and both are pruned when they leave', async () => {
    const ns = await createNamespace('client-crd');
    const group = `${ns}.example.com`;
    const crd = namespacedCrd(group, 'Widget', { type: 'object', properties: { size: { type: 'integer' } } });
    const widget: Manifest = {
      apiVersion: `${group}/v1`,
      kind: 'Widget',
      metadata: { name: 'w', namespace: ns },
      spec: { size: 3 },
    };
    // The custom resource comes first in the file: the order is the client's, not the file's.
    const dir = (await writeManifests([widget, configMap(ns, 'settings', { a: '1' }), crd])).replace(
      /\/[^/]+$/,
      '',
    );
    const args = ['apply', dir, '-n', ns, '--applyset', 'widgets', '--yes'];

    const diff = await cli(['diff', dir, '-n', ns, '--applyset', 'widgets']);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain(`create     Widget/${ns}/w`);
    expect(diff.stdout).toContain(`create     CustomResourceDefinition/widgets.${group}`);

    const apply = await cli(args);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const order = [...apply.stdout.matchAll(/Z applied (\S+)/g)].map((m) => m[1]);
    expect(order).toEqual([
      `CustomResourceDefinition/widgets.${group}`,
      `ConfigMap/${ns}/settings`,
      `Widget/${ns}/w`,
    ]);
    const live = await api().request<{ spec: { size: number } }>({
      path: `/apis/${group}/v1/namespaces/${ns}/widgets/w`,
    });
    expect(live.spec.size).toBe(3);
    const parent = await api().request<Manifest>({ path: `/api/v1/namespaces/${ns}/secrets/widgets` });
    expect(parent.metadata.annotations?.[APPLYSET_ANNOTATIONS.groupKinds]).toBe(
      `ConfigMap,CustomResourceDefinition.apiextensions.k8s.io,Widget.${group}`,
    );

    await writeManifests([configMap(ns, 'settings', { a: '1' })], dir);
    const prune = await cli(args);
    expect(prune.code).toBe(0);
    const pruned = [...prune.stdout.matchAll(/Z pruned (\S+)/g)].map((m) => m[1]);
    expect(pruned).toEqual([`Widget/${ns}/w`, `CustomResourceDefinition/widgets.${group}`]);
    expect(prune.stdout).toContain('applied 1 objects, pruned 2; recorded revision 2');
  });
});
