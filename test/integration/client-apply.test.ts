/** diff, apply, prune, history and rollback through the CLI, read back from the real control plane. */
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { APPLYSET_ANNOTATIONS, APPLYSET_LABELS, applySetId } from '../../client/plan/applyset.js';
import { Release } from '../../client/release.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, eventually, testKubeConfig, writeKubeconfig } from './cluster.js';
import { cli, configMap, deployment, serviceAccountToken, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const get = (path: string) => api().request<Manifest & { data?: Record<string, string> }>({ path });
const status = async (path: string) => {
  try {
    await get(path);
    return 200;
  } catch (error) {
    return (error as ApiError).code;
  }
};

describeCluster('cdk8s-devops diff, apply, prune, history and rollback', () => {
  let ns: string;
  let file: string;
  let args: (command: string, ...rest: string[]) => string[];
  const service = (namespace: string): Manifest => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace },
    spec: { selector: { app: 'web' }, ports: [{ port: 80 }] },
  });

  beforeAll(async () => {
    ns = await createNamespace('client-apply');
    file = await writeManifests([
      configMap(ns, 'settings', { mode: 'one' }),
      configMap(ns, 'extra', { kept: 'no' }),
      service(ns),
      deployment(ns, 'web'),
    ]);
    args = (command, ...rest) => [command, file, '-n', ns, '--applyset', 'shop', ...rest];
  });

  test('diff of a new app lists every object as a create and exits 1', async () => {
    const run = await cli(args('diff'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`create     ConfigMap/${ns}/settings`);
    expect(run.stdout).toContain(`create     Deployment/${ns}/web`);
    expect(run.stdout).toContain('4 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(run.stdout).toContain(`+++ desired/ConfigMap/${ns}/settings`);
  });

  test('on a terminal, apply asks first, and applies nothing unless the answer is yes', async () => {
    const run = await cli(args('apply'), { answer: 'n' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('Apply these changes? [y/N] ');
    expect(run.stderr).toBe('nothing applied\n');
    expect(await status(`/api/v1/namespaces/${ns}/configmaps/settings`)).toBe(404);
  });

  test('apply creates the objects as ApplySet members with a parent kubectl understands', async () => {
    const run = await cli(args('apply', '--yes'));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('applied 4 objects, pruned 0; recorded revision 1');

    const id = applySetId({ name: 'shop', namespace: ns, kind: 'Secret', group: '' });
    const parent = await get(`/api/v1/namespaces/${ns}/secrets/shop`);
    expect(parent.metadata.labels?.[APPLYSET_LABELS.id]).toBe(id);
    expect(parent.metadata.annotations?.[APPLYSET_ANNOTATIONS.groupKinds]).toBe(
      'ConfigMap,Deployment.apps,Service',
    );
    expect(parent.metadata.annotations?.[APPLYSET_ANNOTATIONS.tooling]).toBe('cdk8s-devops/v1');
    const settings = await get(`/api/v1/namespaces/${ns}/configmaps/settings`);
    expect(settings.metadata.labels?.[APPLYSET_LABELS.partOf]).toBe(id);
    expect((settings.metadata.managedFields as { manager: string; operation: string }[])[0]).toMatchObject({
      manager: 'cdk8s-devops',
      operation: 'Apply',
    });
  });

  test('diff after apply finds nothing to change and exits 0', async () => {
    const run = await cli(args('diff'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('0 to create, 0 to update, 0 to delete, 4 unchanged');
    expect(run.stdout).not.toContain('---');
  });

  test('an object that left the app shows as a delete, and apply prunes it', async () => {
    await writeManifests(
      [configMap(ns, 'settings', { mode: 'two' }), service(ns), deployment(ns, 'web')],
      file.replace(/\/[^/]+$/, ''),
    );
    const diff = await cli(args('diff'));
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain(`update     ConfigMap/${ns}/settings`);
    expect(diff.stdout).toContain(`delete     ConfigMap/${ns}/extra`);
    expect(diff.stdout).toContain('0 to create, 1 to update, 1 to delete, 2 unchanged');
    expect(diff.stdout).toContain('-  mode: one\n+  mode: two');
    // Server-managed fields stay out of the diff.
    expect(diff.stdout).not.toMatch(/managedFields|resourceVersion|creationTimestamp/);

    const apply = await cli(args('apply', '--yes', '-m', 'mode two'));
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain(`pruned ConfigMap/${ns}/extra`);
    expect(await status(`/api/v1/namespaces/${ns}/configmaps/extra`)).toBe(404);
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/settings`)).data).toEqual({ mode: 'two' });
  });

  test('history lists the revisions and rollback applies the previous one again', async () => {
    const history = await cli(['history', '-n', ns, '--applyset', 'shop', '-o', 'json']);
    expect(history.code).toBe(0);
    const revisions = JSON.parse(history.stdout) as {
      number: number;
      message: string;
      objects: number;
      user: string;
    }[];
    expect(revisions.map((r) => [r.number, r.message, r.objects])).toEqual([
      [1, '', 4],
      [2, 'mode two', 3],
    ]);
    expect(revisions[0].user).toBe('admin');

    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'shop']);
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain(
      'rolled back: rollback to revision 1; applied 4 objects, pruned 0; recorded as revision 3',
    );
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/settings`)).data).toEqual({ mode: 'one' });
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/extra`)).data).toEqual({ kept: 'no' });
  });

  test('rollback to a revision that does not exist names the ones there are', async () => {
    const run = await cli(['rollback', '--to-revision', '9', '-n', ns, '--applyset', 'shop']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: revision 9 of ApplySet ${ns}/shop does not exist (revisions: 1, 2, 3); see \`cdk8s-devops history\`\n`,
    );
  });

  test('fields another field manager owns are a conflict, unless --force-conflicts', async () => {
    await api().request({
      path: `/api/v1/namespaces/${ns}/configmaps/settings`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.apply,
      query: { fieldManager: 'kubectl', force: true },
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: ns },
        data: { mode: 'hand-edited' },
      },
    });
    const refused = await cli(args('apply', '--yes'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `  - ConfigMap/${ns}/settings: Apply failed with 1 conflict: conflict with "kubectl": .data.mode`,
    );
    expect(refused.stderr).toContain('rerun with --force-conflicts to take them over');
    // Seen in the change set, so nothing at all was applied (before, earlier stages were).
    expect(refused.stderr).toContain('nothing was applied');

    const forced = await cli(args('apply', '--yes', '--force-conflicts'));
    expect(forced.code).toBe(0);
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/settings`)).data).toEqual({ mode: 'two' });
  });

  test('--dry-run validates on the server, stores nothing and records no revision', async () => {
    await writeManifests(
      [configMap(ns, 'settings', { mode: 'three' }), service(ns), deployment(ns, 'web')],
      file.replace(/\/[^/]+$/, ''),
    );
    const run = await cli(args('apply', '--dry-run'));
    expect([run.stderr, run.code]).toEqual(['', 0]);
    expect(run.stdout).toContain('dry run: 3 objects validated by the server, nothing stored');
    expect((await get(`/api/v1/namespaces/${ns}/configmaps/settings`)).data).toEqual({ mode: 'two' });
    const history = await cli(['history', '-n', ns, '--applyset', 'shop', '-o', 'json']);
    expect((JSON.parse(history.stdout) as { number: number }[]).map((r) => r.number)).toEqual([1, 2, 3, 4]);
  });
});

describeCluster('cdk8s-devops apply with bad input', () => {
  test('an unknown kind names the object and the missing CRD, and nothing is pruned', async () => {
    const ns = await createNamespace('client-unknown');
    const dir = (
      await writeManifests([configMap(ns, 'a', { x: '1' }), configMap(ns, 'b', { x: '1' })])
    ).replace(/\/[^/]+$/, '');
    expect((await cli(['apply', dir, '-n', ns, '--applyset', 'app', '--yes'])).code).toBe(0);
    await writeManifests(
      [
        configMap(ns, 'a', { x: '2' }),
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: ns } },
      ],
      dir,
    );
    const run = await cli(['apply', dir, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      [
        'error: applying the custom-resources stage failed for 1 object:',
        `  - Widget/${ns}/w: the cluster does not serve Widget in example.com/v1: install its CustomResourceDefinition first, or fix the apiVersion`,
        'nothing was pruned; fix the objects above and apply again',
        '',
      ].join('\n'),
    );
    expect(await status(`/api/v1/namespaces/${ns}/configmaps/b`)).toBe(200);
  });

  test('an invalid object yields the server reason, naming the object', async () => {
    const ns = await createNamespace('client-invalid');
    const file = await writeManifests([configMap(ns, 'Bad_Name', { x: '1' })]);
    const run = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: computing the change set failed for 1 object:\n  - ConfigMap/${ns}/Bad_Name: Invalid: ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('exceeding a quota yields the quota in the error', async () => {
    const ns = await createNamespace('client-quota');
    await api().request({
      path: `/api/v1/namespaces/${ns}/resourcequotas`,
      method: 'POST',
      body: {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'few' },
        spec: { hard: { 'count/configmaps': '1' } },
      },
    });
    // The quota is enforced once its controller has counted what is there.
    await eventually('the quota to be counted', async () => {
      const quota = await api().request<{ status?: { used?: object } }>({
        path: `/api/v1/namespaces/${ns}/resourcequotas/few`,
      });
      return quota.status?.used;
    });
    const file = await writeManifests(['a', 'b', 'c'].map((name) => configMap(ns, name, { x: '1' })));
    const run = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /ConfigMap\/client-quota-\w+\/[abc]: quota exceeded: configmaps "[abc]" is forbidden: exceeded quota: few, requested: count\/configmaps=1, used: count\/configmaps=1, limited: count\/configmaps=1/,
    );
  });

  test('an admission policy denial yields the policy message, naming the object', async () => {
    const ns = await createNamespace('client-denied', { 'client-denied': 'yes' });
    const policy = `deny-${ns}`;
    await api().request({
      path: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies',
      method: 'POST',
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: policy },
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
          validations: [
            {
              expression: "object.metadata.name != 'forbidden'",
              message: 'configmaps may not be called forbidden',
            },
          ],
        },
      },
    });
    await api().request({
      path: '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings',
      method: 'POST',
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: policy },
        spec: {
          policyName: policy,
          validationActions: ['Deny'],
          matchResources: { namespaceSelector: { matchLabels: { 'client-denied': 'yes' } } },
        },
      },
    });
    const file = await writeManifests([configMap(ns, 'forbidden', { x: '1' })]);
    // The policy takes effect once the API server has loaded it.
    let run = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes']);
    for (let i = 0; i < 50 && run.code === 0; i++) {
      await api().request({ path: `/api/v1/namespaces/${ns}/configmaps/forbidden`, method: 'DELETE' });
      await new Promise((r) => setTimeout(r, 200));
      run = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes']);
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `  - ConfigMap/${ns}/forbidden: Invalid: configmaps "forbidden" is forbidden: ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: configmaps may not be called forbidden`,
    );
  });

  test('a user without RBAC permission gets a forbidden error that names the object', async () => {
    const ns = await createNamespace('client-rbac');
    await api().request({
      path: `/api/v1/namespaces/${ns}/serviceaccounts`,
      method: 'POST',
      body: { metadata: { name: 'reader' } },
    });
    const token = await serviceAccountToken(ns, 'reader');
    const kubeconfig = (await writeManifests([])).replace(/app\.k8s\.yaml$/, 'reader.kubeconfig');
    await writeKubeconfig(kubeconfig, { token }, ns);
    const file = await writeManifests([configMap(ns, 'a', { x: '1' })]);
    // diff takes no lock: the first refusal is the object's.
    const run = await cli(['diff', file, '-n', ns, '--applyset', 'app', '--kubeconfig', kubeconfig]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `error: computing the change set failed for 1 object:\n  - ConfigMap/${ns}/a: forbidden: configmaps "a" is forbidden: User "system:serviceaccount:${ns}:reader" cannot get resource "configmaps" in API group "" in the namespace "${ns}"; ask for RBAC permission to do this`,
    );
    expect(run.stderr).not.toContain(token);
    // apply takes the lock first, and says which permission that needs.
    const apply = await cli([
      'apply',
      file,
      '-n',
      ns,
      '--applyset',
      'app',
      '--yes',
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(
      `; the lock needs get, create, update, patch (to renew it) and delete on leases (coordination.k8s.io) in ${ns}: see "The deployer's permissions" in docs/security.md\n`,
    );
  });

  test('a change set computed as the GitOps engine applies is never applied: the library refuses it before the lock', async () => {
    const namespace = await createNamespace('client-apply-gitops');
    // The release's own namespace does not exist yet: taking the lock would create it for the Lease.
    const home = `${namespace}-home`;
    const release = Release.connect({ kubeConfig: testKubeConfig(), name: 'app', namespace: home });
    const changeSet = await release.changeSet([configMap(namespace, 'shown', { x: '1' })], { gitops: true });
    expect(changeSet.summary.create).toBe(1);
    await expect(release.apply(changeSet)).rejects.toThrow(
      'a change set computed as the GitOps engine applies (gitops: true) only shows drift and is never applied; compute one without gitops to apply',
    );
    expect(await status(`/api/v1/namespaces/${namespace}/configmaps/shown`)).toBe(404);
    expect(await status(`/api/v1/namespaces/${home}`)).toBe(404);
  });
});

describeCluster(
  'cdk8s-devops apply and delete of a kind its group serves only at a version it does not prefer',
  () => {
    test('an AlertmanagerConfig (monitoring.coreos.com/v1alpha1, where the group prefers v1) is pruned when it leaves the app, and deleted with it', async () => {
      const ns = await createNamespace('group-versions');
      const routing = (name: string): Manifest => ({
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'AlertmanagerConfig',
        metadata: { name, namespace: ns },
        spec: {},
      });
      const path = (name: string) =>
        `/apis/monitoring.coreos.com/v1alpha1/namespaces/${ns}/alertmanagerconfigs/${name}`;
      const run = (command: string, ...rest: string[]) =>
        cli([command, ...rest, '-n', ns, '--applyset', 'alerts', '--yes']);
      const first = await writeManifests([
        configMap(ns, 'settings', { mode: 'one' }),
        routing('routing'),
        routing('kept'),
      ]);
      expect((await run('apply', first)).code).toBe(0);

      const second = await writeManifests([configMap(ns, 'settings', { mode: 'one' }), routing('kept')]);
      const applied = await run('apply', second);
      expect(applied.stdout).toContain('0 to create, 0 to update, 1 to delete, 2 unchanged');
      expect(applied.stdout).toContain(`pruned AlertmanagerConfig/${ns}/routing`);
      expect(applied.code).toBe(0);
      expect(await status(path('routing'))).toBe(404);

      const deleted = await run('delete');
      expect(deleted.stdout).toContain(`delete     AlertmanagerConfig/${ns}/kept`);
      expect(deleted.stdout).toContain('0 to create, 0 to update, 2 to delete, 0 unchanged');
      expect(deleted.code).toBe(0);
      expect(await status(path('kept'))).toBe(404);
    });
  },
);
