/** apply --wait --rollback-on-failure: a Job that fails brings the previous revision back. */
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli, configMap, deployment, unschedulableDeployment, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());

function job(namespace: string, name: string, options: { schedulable: boolean }): Manifest {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace },
    spec: {
      backoffLimit: 0,
      // Unschedulable pods never run: the Job controller fails the Job at its deadline (DeadlineExceeded).
      ...(options.schedulable ? {} : { activeDeadlineSeconds: 2 }),
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'migrate', image: 'migrate:1' }],
          ...(options.schedulable ? {} : { nodeSelector: { 'no-such-label': 'anywhere' } }),
        },
      },
    },
  };
}

describeCluster('cdk8s-devops apply --rollback-on-failure', () => {
  test('a failed Job makes apply restore the previous revision and exit 1', async () => {
    const ns = await createNamespace('client-rollback');
    const dir = (
      await writeManifests([
        configMap(ns, 'settings', { version: '1' }),
        job(ns, 'migrate-1', { schedulable: true }),
      ])
    ).replace(/\/[^/]+$/, '');
    const args = [
      'apply',
      dir,
      '-n',
      ns,
      '--applyset',
      'app',
      '--yes',
      '--wait',
      '--timeout',
      '90s',
      '--rollback-on-failure',
    ];
    const first = await cli(args);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Job/${ns}/migrate-1 ready`);

    await writeManifests(
      [configMap(ns, 'settings', { version: '2' }), job(ns, 'migrate-2', { schedulable: false })],
      dir,
    );
    const second = await cli(args);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(
      `error: 1 object did not become ready:\n  - Job/${ns}/migrate-2: failed: DeadlineExceeded: Job was active longer than specified deadline\nrolled back to revision 1\n`,
    );

    const settings = await api().request<{ data: Record<string, string> }>({
      path: `/api/v1/namespaces/${ns}/configmaps/settings`,
    });
    expect(settings.data).toEqual({ version: '1' });
    // The Job of the failed revision left with it; the one of revision 1 is there.
    const gone = await api()
      .request<Manifest>({ path: `/apis/batch/v1/namespaces/${ns}/jobs/migrate-2` })
      .then((j) => (j.metadata.deletionTimestamp ? 'deleting' : 'present'))
      .catch((error: ApiError) => error.code);
    expect([404, 'deleting']).toContain(gone);
    await api().request({ path: `/apis/batch/v1/namespaces/${ns}/jobs/migrate-1` });

    const history = await cli(['history', '-n', ns, '--applyset', 'app', '-o', 'json']);
    const revisions = JSON.parse(history.stdout) as { number: number; message: string; status: string }[];
    // What was applied is recorded too, as failed, then the rollback that replaced it.
    expect(revisions.map((r) => [r.number, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
      [3, 'deployed'],
    ]);
    expect(revisions[2].message).toBe('automatic rollback: 1 object did not become ready:');
  });

  test('without a previous revision there is nothing to roll back to, and the error says why it failed', async () => {
    const ns = await createNamespace('client-norollback');
    const file = await writeManifests([job(ns, 'migrate', { schedulable: false })]);
    const run = await cli([
      'apply',
      file,
      '-n',
      ns,
      '--applyset',
      'app',
      '--yes',
      '--wait',
      '--rollback-on-failure',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: 1 object did not become ready:\n  - Job/${ns}/migrate: failed: DeadlineExceeded: Job was active longer than specified deadline\n`,
    );
  });

  describe('rollback after releases whose wait failed for one workload', () => {
    /** Revision 1 ready; 2 and 3 change the ConfigMap (ready) and leave web unschedulable (timed out). */
    async function partlyFailed(prefix: string): Promise<string> {
      const ns = await createNamespace(prefix);
      const dir = (
        await writeManifests([configMap(ns, 'settings', { version: '1' }), deployment(ns, 'web')])
      ).replace(/\/[^/]+$/, '');
      const args = ['apply', dir, '-n', ns, '--applyset', 'app', '--yes', '--wait', '--timeout'];
      expect((await cli([...args, '60s'])).code).toBe(0);
      for (const version of ['2', '3']) {
        await writeManifests(
          [configMap(ns, 'settings', { version }), unschedulableDeployment(ns, 'web')],
          dir,
        );
        expect((await cli([...args, '3s'])).code).toBe(2);
      }
      return ns;
    }
    const settings = async (ns: string) =>
      (
        await api().request<{ data: Record<string, string> }>({
          path: `/api/v1/namespaces/${ns}/configmaps/settings`,
        })
      ).data;
    const nodeSelector = async (ns: string) =>
      (
        await api().request<{ spec: { template: { spec: { nodeSelector?: object } } } }>({
          path: `/apis/apps/v1/namespaces/${ns}/deployments/web`,
        })
      ).spec.template.spec.nodeSelector;

    test('restores what ran before the latest release: the ConfigMap of revision 2, web as it was last ready', async () => {
      const ns = await partlyFailed('client-partial');
      const listed = await cli(['history', '-n', ns, '--applyset', 'app']);
      expect(listed.stdout).toMatch(/\n3 +\S+ +failed: web timed-out +/);
      const run = await cli(['rollback', '-n', ns, '--applyset', 'app']);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain(
        'rolled back: rollback to revision 2, with web as in revision 1; applied 2 objects',
      );
      expect(await settings(ns)).toEqual({ version: '2' });
      expect(await nodeSelector(ns)).toBeUndefined();
    });

    test('failed revisions recorded before workload outcomes were are skipped, as they always were', async () => {
      const ns = await partlyFailed('client-partial-old');
      for (const secret of ['app.v2', 'app.v3']) {
        await api().request({
          path: `/api/v1/namespaces/${ns}/secrets/${secret}`,
          method: 'PATCH',
          contentType: CONTENT_TYPES.merge,
          body: { metadata: { annotations: { 'cdk8s-devops.io/workloads': null } } },
        });
      }
      const run = await cli(['rollback', '-n', ns, '--applyset', 'app']);
      expect(run.stdout).toContain('rolled back: rollback to revision 1; applied 2 objects');
      expect(await settings(ns)).toEqual({ version: '1' });
    });
  });
});
