/**
 * Honest history (issue 10, cases 8 and 9): a revision for every apply that changed the cluster, with
 * Helm's statuses; revisions that cannot be read are named and skipped; large revisions are split; a name
 * that cannot be recorded is refused before anything is applied.
 */
import { randomBytes } from 'node:crypto';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli, configMap, deployment, unschedulableDeployment, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const historyOf = async (ns: string) =>
  (
    JSON.parse((await cli(['history', '-n', ns, '--applyset', 'app', '-o', 'json'])).stdout) as {
      number: number;
      status: string;
      message: string;
      objects: number;
    }[]
  ).map((r) => [r.number, r.status, r.message]);

describeCluster('history', () => {
  test('a timed-out wait records the revision as failed, and rollback returns to the last healthy one', async () => {
    const ns = await createNamespace('client-failedwait');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const good = await writeManifests([deployment(ns, 'web')]);
    expect((await cli(['apply', good, ...base, '--wait', '--timeout', '60s', '-m', 'good'])).code).toBe(0);

    // Pods that no node can take: the wait runs out of time.
    const stuck = unschedulableDeployment(ns, 'web');
    const bad = await cli([
      'apply',
      await writeManifests([stuck]),
      ...base,
      '--wait',
      '--timeout',
      '4s',
      '-m',
      'bad',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      new RegExp(
        `^error: 1 object did not become ready:\\n  - Deployment/${ns}/web: timed out: .*Unschedulable`,
      ),
    );
    expect(await historyOf(ns)).toEqual([
      [1, 'deployed', 'good'],
      [2, 'failed', 'bad'],
    ]);
    // The next apply of the same set sees no change, and the failed revision stays in the history.
    const again = await cli(['apply', await writeManifests([stuck]), ...base]);
    expect(again.stdout).toContain('0 to create, 0 to update, 0 to delete, 1 unchanged');

    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'app']);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('rolled back: rollback to revision 1;');
    expect(await historyOf(ns)).toEqual([
      [1, 'superseded', 'good'],
      [2, 'failed', 'bad'],
      [3, 'deployed', 'rollback to revision 1'],
    ]);
  });

  test('a revision Secret with garbage in it is named and skipped: history, apply and other rollbacks go on', async () => {
    const ns = await createNamespace('client-corrupt');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    expect((await cli(['apply', await writeManifests([configMap(ns, 'a', { v: '1' })]), ...base])).code).toBe(
      0,
    );
    expect((await cli(['apply', await writeManifests([configMap(ns, 'a', { v: '2' })]), ...base])).code).toBe(
      0,
    );
    await api().request({
      path: `/api/v1/namespaces/${ns}/secrets/app.v1`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: { data: { manifests: Buffer.from('garbage').toString('base64') } },
    });
    expect((await cli(['history', '-n', ns, '--applyset', 'app'])).code).toBe(0);
    const apply = await cli(['apply', await writeManifests([configMap(ns, 'a', { v: '3' })]), ...base]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('recorded revision 3');
    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'app', '--to-revision', '1']);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toBe(
      `error: revision 1 (Secret ${ns}/app.v1) cannot be read: incorrect header check; choose another with --to-revision (see \`cdk8s-devops history\`)\n`,
    );
    expect((await cli(['rollback', '-n', ns, '--applyset', 'app', '--to-revision', '2'])).code).toBe(0);
  });

  test('a revision larger than one Secret allows is split over several and read back whole', async () => {
    const ns = await createNamespace('client-bigrev');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    // Random bytes in base64 compress to 3/4: three ConfigMaps of 400 KiB make about 900 KiB of gzip, two parts.
    const big = [0, 1, 2].map((i) =>
      configMap(ns, `big-${i}`, { blob: randomBytes(300 * 1024).toString('base64') }),
    );
    const apply = await cli(['apply', await writeManifests(big), ...base]);
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const secrets = await api().request<{ items: Manifest[] }>({ path: `/api/v1/namespaces/${ns}/secrets` });
    expect(secrets.items.map((s) => s.metadata.name).sort()).toEqual(['app', 'app.v1', 'app.v1.p1']);
    expect((await cli(['apply', await writeManifests([configMap(ns, 'small', {})]), ...base])).code).toBe(0);
    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'app']);
    expect(rollback.stderr).toBe('');
    expect(rollback.stdout).toContain('applied 3 objects, pruned 1; recorded as revision 3');
  });

  test('an ApplySet name that cannot name its revisions is refused before anything is applied', async () => {
    const ns = await createNamespace('client-longname');
    const name = 'a'.repeat(245);
    const run = await cli([
      'apply',
      await writeManifests([configMap(ns, 'a', {})]),
      '-n',
      ns,
      '--applyset',
      name,
      '--yes',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: the ApplySet name "${name}" cannot name its parent Secret and revisions: use lowercase letters, digits, '-' and '.', at most 240 characters (set it with --applyset or "cdk8s-devops": { "applySet" } in package.json)\n`,
    );
    const configMaps = await api().request<{ items: Manifest[] }>({
      path: `/api/v1/namespaces/${ns}/configmaps`,
    });
    expect(configMaps.items.map((c) => c.metadata.name)).toEqual(['kube-root-ca.crt']);
  });
});
