/**
 * Objects applied from the same manifest and changed by no one since are unchanged without a dry run;
 * anything another field manager changed is dry-run again, so drift is still seen and repaired.
 */
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { MANIFEST_DIGEST } from '../../client/plan/apply-context.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const get = (path: string) => api().request<Manifest & { data?: Record<string, string> }>({ path });

/**
 * From here on, the API server refuses the writes of ConfigMaps in namespace `ns` that `expression`
 * rejects, with `message`: a policy bound to the namespace by a label, waited for until a dry run of a
 * ConfigMap called `probe` is refused with that message.
 */
async function refuse(ns: string, expression: string, message: string, probe: string): Promise<void> {
  await api().request({
    path: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
    method: 'POST',
    body: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: ns },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['configmaps'],
            },
          ],
        },
        validations: [{ expression, message }],
      },
    },
  });
  await api().request({
    path: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
    method: 'POST',
    body: {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: ns },
      spec: {
        policyName: ns,
        validationActions: ['Deny'],
        matchResources: { namespaceSelector: { matchLabels: { 'client-no-dry-run': ns } } },
      },
    },
  });
  await api().request({
    path: `/api/v1/namespaces/${ns}`,
    method: 'PATCH',
    contentType: CONTENT_TYPES.merge,
    body: { metadata: { labels: { 'client-no-dry-run': ns } } },
  });
  await eventually(`the policy to refuse ${probe}`, () =>
    api()
      .request({
        path: `/api/v1/namespaces/${ns}/configmaps`,
        method: 'POST',
        query: { dryRun: 'All' },
        body: configMap(ns, probe, {}),
      })
      .then(
        () => undefined,
        (error: Error) => (error.message.includes(message) ? true : undefined),
      ),
  );
}

describeCluster('unchanged objects without a dry run', () => {
  test('an untouched object is unchanged without a dry run; one another manager changed is dry-run and repaired', async () => {
    const ns = await createNamespace('client-unchanged');
    const file = await writeManifests([configMap(ns, 'settings', { mode: 'one' })]);
    const args = (command: string, ...rest: string[]) => [
      command,
      file,
      '-n',
      ns,
      '--applyset',
      'app',
      ...rest,
    ];
    expect((await cli(args('apply', '--yes'))).code).toBe(0);
    const applied = await get(`/api/v1/namespaces/${ns}/configmaps/settings`);
    expect(applied.metadata.annotations?.[MANIFEST_DIGEST]).toMatch(/^[0-9a-f]{32}$/);

    await refuse(ns, '!request.dryRun', 'no dry runs here', 'probe');

    const unchanged = await cli(args('diff'));
    expect(unchanged.stderr).toBe('');
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toContain('0 to create, 0 to update, 0 to delete, 1 unchanged');

    // Someone else changes a field of ours: the next change set asks the server, which finds the conflict.
    await api().request({
      path: `/api/v1/namespaces/${ns}/configmaps/settings`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      query: { fieldManager: 'someone' },
      body: { data: { mode: 'two' } },
    });
    const drifted = await cli(args('diff'));
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain(
      `conflict: ConfigMap/${ns}/settings: Apply failed with 1 conflict: conflict with "someone" using v1: .data.mode`,
    );

    // Without the policy, apply takes the field back, and the object is unchanged again without a dry run.
    await api().request({
      path: `/api/v1/namespaces/${ns}`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: { metadata: { labels: { 'client-no-dry-run': null } } },
    });
    await eventually('the policy to let dry runs through again', async () => {
      const run = await cli(args('apply', '--yes', '--force-conflicts'));
      return run.code === 0 ? run : undefined;
    });
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/settings`)).data).toEqual({ mode: 'one' });
    const repaired = await get(`/api/v1/namespaces/${ns}/configmaps/settings`);
    expect(repaired.metadata.annotations?.[MANIFEST_DIGEST]).toBe(
      applied.metadata.annotations?.[MANIFEST_DIGEST],
    );
  });

  test('apply sends only what changed: an up-to-date object is not sent again', async () => {
    const ns = await createNamespace('client-up-to-date');
    const app = (mode: string) =>
      writeManifests([configMap(ns, 'steady', { mode: 'one' }), configMap(ns, 'moving', { mode })]);
    const args = (file: string) => ['apply', file, '-n', ns, '--applyset', 'app', '--yes'];
    expect((await cli(args(await app('one')))).code).toBe(0);

    // From here on, any request that writes `steady` (a dry run or not) is refused.
    await refuse(ns, "object.metadata.name != 'steady'", 'steady must not be sent', 'steady');

    const run = await cli(args(await app('two')));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 to create, 1 to update, 0 to delete, 1 unchanged');
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/moving`)).data).toEqual({ mode: 'two' });
  });
});
