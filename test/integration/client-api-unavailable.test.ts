/**
 * An ApplySet whose members include a kind of an aggregated API that is down: the members of that kind
 * cannot be found, so nothing is applied or pruned, and the error names the kind and the ways out.
 */
import { APPLYSET_ANNOTATIONS } from '../../client/plan/applyset.js';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { createNamespace, describeCluster, serverSideApply, testKubeConfig } from './cluster.js';
import { cli, configMap, exists, writeManifests } from './client-cli.js';

const API_SERVICE = 'v1.down.cdk8s-devops.io';

describeCluster('an aggregated API that is down', () => {
  const api = () => ApiClient.fromKubeConfig(testKubeConfig());
  afterAll(async () => {
    // An unavailable APIService holds up namespace deletion cluster-wide: it must not outlive the test.
    await api().request({
      method: 'DELETE',
      path: `/apis/apiregistration.k8s.io/v1/apiservices/${API_SERVICE}`,
    });
  });

  test('stops apply before any change, naming the kind and the ways out', async () => {
    const ns = await createNamespace('client-api-down');
    const first = await writeManifests([configMap(ns, 'a', { x: '1' }), configMap(ns, 'b', { x: '1' })]);
    expect((await cli(['apply', first, '-n', ns, '--applyset', 'app', '--yes'])).code).toBe(0);
    await serverSideApply([
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: API_SERVICE },
        spec: {
          group: 'down.cdk8s-devops.io',
          version: 'v1',
          service: { namespace: ns, name: 'nothing-serves-this' },
          insecureSkipTLSVerify: true,
          groupPriorityMinimum: 1000,
          versionPriority: 15,
        },
      },
    ]);
    // As if an earlier apply had a member of that API.
    const parent = `/api/v1/namespaces/${ns}/secrets/app`;
    const kinds = 'ConfigMap,Widget.down.cdk8s-devops.io';
    await api().request({
      method: 'PATCH',
      path: parent,
      contentType: CONTENT_TYPES.merge,
      body: { metadata: { annotations: { [APPLYSET_ANNOTATIONS.groupKinds]: kinds } } },
    });
    const second = await writeManifests([configMap(ns, 'a', { x: '2' })]);
    const run = await cli(['apply', second, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^error: looking up Widget\.down\.cdk8s-devops\.io, a kind of ApplySet app's members, failed: .+; nothing was changed\. Its API must answer before the app's members can be pruned or deleted \(`kubectl api-resources` shows which API fails\); `apply --no-prune` applies without pruning\n$/,
    );
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/b`)).toBe(true);
    const kept = await api().request<{ data: Record<string, string> }>({
      path: `/api/v1/namespaces/${ns}/configmaps/a`,
    });
    expect(kept.data).toEqual({ x: '1' });
    const withoutPrune = await cli(['apply', second, '-n', ns, '--applyset', 'app', '--yes', '--no-prune']);
    expect(withoutPrune.stderr).toBe('');
    expect(withoutPrune.code).toBe(0);
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/b`)).toBe(true);
  }, 120_000);
});
