/**
 * Drift is never hidden (issue 22, items 2 and 7): an object changed by hand in a way that leaves no trace
 * of another field manager (a JSON patch that removes a field, an apply under the client's own name, a
 * removed ApplySet label) is a change in `diff`, repaired by `apply` and `rollback`; and history records
 * nothing twice, on the real control plane.
 */
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { FIELD_MANAGER, MANIFEST_DIGEST } from '../../client/plan/apply-context.js';
import { APPLYSET_LABELS, applySetId } from '../../client/plan/applyset.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const get = (path: string) => api().request<Manifest & { data?: Record<string, string> }>({ path });

/** A suspended CronJob: nothing but the client writes its spec (its controller writes status only). */
function cronJob(namespace: string): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'report', namespace, labels: { tier: 'batch' } },
    spec: {
      schedule: '0 0 1 1 *',
      suspend: true,
      jobTemplate: {
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'report',
                  image: 'report:1',
                  env: [{ name: 'MODE', value: 'full' }],
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
                  resources: { limits: { memory: '64Mi' }, requests: { memory: '32Mi' } },
                },
              ],
            },
          },
        },
      },
    },
  };
}

const container = (object: Manifest) =>
  (
    object.spec as {
      jobTemplate: { spec: { template: { spec: { containers: Record<string, unknown>[] } } } };
    }
  ).jobTemplate.spec.template.spec.containers[0];

/** A namespace with the CronJob and a ConfigMap applied as ApplySet `app`, and how to run commands on it. */
async function appliedApp(prefix: string) {
  const ns = await createNamespace(prefix);
  const file = await writeManifests([cronJob(ns), configMap(ns, 'settings', { mode: 'one' })]);
  const run = (command: string, ...rest: string[]) =>
    cli([command, ...(command === 'rollback' ? [] : [file]), '-n', ns, '--applyset', 'app', ...rest]);
  expect((await run('apply', '--yes')).code).toBe(0);
  return { ns, run, cronJobPath: `/apis/batch/v1/namespaces/${ns}/cronjobs/report` };
}

/** `kubectl patch --type=json` with one `remove`: the field goes, and no field manager is recorded for it. */
async function removeField(path: string, pointer: string): Promise<void> {
  await api().request({
    path,
    method: 'PATCH',
    contentType: CONTENT_TYPES.jsonPatch,
    query: { fieldManager: 'kubectl-patch' },
    body: [{ op: 'remove', path: pointer }],
  });
}

const CONTAINER = '/spec/jobTemplate/spec/template/spec/containers/0';

describeCluster('drift is never hidden by the unchanged-object shortcut', () => {
  test.each([
    ['an env var', `${CONTAINER}/env/0`, '+                - name: MODE'],
    ['the securityContext', `${CONTAINER}/securityContext`, '+              securityContext:'],
    ['resources.limits', `${CONTAINER}/resources/limits`, '+                limits:'],
    ['a label', '/metadata/labels/tier', '+    tier: batch'],
  ])('%s removed with a JSON patch is a change in diff, and apply puts it back', async (_, pointer, line) => {
    const { run, cronJobPath } = await appliedApp('client-drift-remove');
    await removeField(cronJobPath, pointer);

    const diff = await run('diff');
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('0 to create, 1 to update, 0 to delete, 1 unchanged');
    expect(diff.stdout).toContain(`\n${line}\n`);

    const apply = await run('apply', '--yes');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('0 to create, 1 to update, 0 to delete, 1 unchanged');
    const repaired = await get(cronJobPath);
    expect(repaired.metadata.labels?.tier).toBe('batch');
    expect(container(repaired)).toMatchObject(container(cronJob(repaired.metadata.namespace!)));
    expect((await run('diff')).code).toBe(0);
  });

  test('rollback to the current revision and apply --force-conflicts repair a removed field too', async () => {
    const { run, cronJobPath } = await appliedApp('client-drift-repair');
    await removeField(cronJobPath, `${CONTAINER}/resources/limits`);
    const rollback = await run('rollback', '--to-revision', '1');
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    expect(container(await get(cronJobPath)).resources).toEqual({
      limits: { memory: '64Mi' },
      requests: { memory: '32Mi' },
    });

    await removeField(cronJobPath, `${CONTAINER}/env/0`);
    expect((await run('apply', '--yes', '--force-conflicts')).code).toBe(0);
    expect(container(await get(cronJobPath)).env).toEqual([{ name: 'MODE', value: 'full' }]);
  });

  test('an apply under our own field manager name, with the right digest, is a change', async () => {
    const { ns, run } = await appliedApp('client-drift-manager');
    const path = `/api/v1/namespaces/${ns}/configmaps/settings`;
    const live = await get(path);
    // What `get -o yaml`, an edit and `kubectl apply --server-side --field-manager cdk8s-devops` send.
    await api().request({
      path,
      method: 'PATCH',
      contentType: CONTENT_TYPES.apply,
      query: { fieldManager: FIELD_MANAGER },
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'settings',
          namespace: ns,
          labels: live.metadata.labels,
          annotations: live.metadata.annotations,
        },
        data: { mode: 'edited' },
      },
    });
    expect((await get(path)).metadata.annotations?.[MANIFEST_DIGEST]).toBe(
      live.metadata.annotations?.[MANIFEST_DIGEST],
    );

    const diff = await run('diff');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('-  mode: edited\n+  mode: one\n');
    expect((await run('apply', '--yes')).code).toBe(0);
    expect((await get(path)).data).toEqual({ mode: 'one' });
  });

  test('a removed ApplySet label is a change: apply labels the object again, and no other ApplySet takes it silently', async () => {
    const { ns, run } = await appliedApp('client-drift-label');
    const path = `/api/v1/namespaces/${ns}/configmaps/settings`;
    const id = applySetId({ name: 'app', namespace: ns, kind: 'Secret', group: '' });
    await removeField(path, `/metadata/labels/${APPLYSET_LABELS.partOf.replace('/', '~1')}`);

    const other = ['apply', await writeManifests([configMap(ns, 'settings', { mode: 'theirs' })]), '-n', ns];
    const taken = await cli([...other, '--applyset', 'other', '--yes']);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe(
      `error: 1 object cannot be applied:\n  - ConfigMap/${ns}/settings: it has no ${APPLYSET_LABELS.partOf} label, yet cdk8s-devops applied it from another manifest (its ${MANIFEST_DIGEST} differs): the label was removed by hand, and it may belong to another ApplySet; rerun with --adopt to take it over\nnothing was applied\n`,
    );
    expect((await get(path)).data).toEqual({ mode: 'one' });

    const diff = await run('diff');
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain(`+    ${APPLYSET_LABELS.partOf}: ${id}\n`);
    const apply = await run('apply', '--yes');
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    expect((await get(path)).metadata.labels?.[APPLYSET_LABELS.partOf]).toBe(id);
  });
});

describeCluster('history records each change once', () => {
  test('applying the content a rollback restored records no revision', async () => {
    const ns = await createNamespace('client-drift-history');
    const version = (v: string) => writeManifests([configMap(ns, 'settings', { v })]);
    const apply = async (v: string) =>
      cli(['apply', await version(v), '-n', ns, '--applyset', 'app', '--yes']);
    expect((await apply('1')).code).toBe(0);
    expect((await apply('2')).code).toBe(0);
    expect((await cli(['rollback', '-n', ns, '--applyset', 'app', '--to-revision', '1'])).code).toBe(0);

    const again = await apply('1');
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 to create, 0 to update, 0 to delete, 1 unchanged');
    expect(again.stdout).not.toContain('recorded revision');
    const history = JSON.parse(
      (await cli(['history', '-n', ns, '--applyset', 'app', '-o', 'json'])).stdout,
    ) as {
      number: number;
      message: string;
    }[];
    expect(history.map((r) => [r.number, r.message])).toEqual([
      [1, ''],
      [2, ''],
      [3, 'rollback to revision 1'],
    ]);
  });
});
