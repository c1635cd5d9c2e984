/**
 * History after the cluster was changed by hand (issue 22, items 3 and 8): a revision Secret whose
 * revision label is not a number, or whose data is garbage, is named and skipped, never fatal; retention
 * orders revisions by number; rollback and history of an ApplySet that is not there say so.
 */
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());

/** Sets the revision label of a revision Secret, as `kubectl label --overwrite` does. */
const relabel = (ns: string, secret: string, value: string) =>
  api().request({
    path: `/api/v1/namespaces/${ns}/secrets/${secret}`,
    method: 'PATCH',
    contentType: CONTENT_TYPES.merge,
    body: { metadata: { labels: { 'cdk8s-devops.io/revision': value } } },
  });

/** The names of the ApplySet's revision Secrets, by the number in their name. */
const revisionSecrets = async (ns: string) =>
  (await api().request<{ items: Manifest[] }>({ path: `/api/v1/namespaces/${ns}/secrets` })).items
    .map((s) => s.metadata.name)
    .filter((n) => /^app\.v\d+$/.test(n))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));

const skippedWarning = (ns: string, secret: string, number: number) =>
  `Warning: revision Secret ${ns}/${secret} is skipped: its label cdk8s-devops.io/revision is "abc", not a revision number; restore it (\`kubectl label secret ${secret} -n ${ns} cdk8s-devops.io/revision=${number} --overwrite\`) or delete the Secret\n`;

async function applyVersion(ns: string, version: number) {
  return cli([
    'apply',
    await writeManifests([configMap(ns, 'a', { v: String(version) })]),
    '-n',
    ns,
    '--applyset',
    'app',
    '--yes',
  ]);
}

describeCluster('history changed by hand', () => {
  test('a revision label that is not a number is named and skipped: apply records the next number, rollback goes on', async () => {
    const ns = await createNamespace('client-badlabel');
    expect((await applyVersion(ns, 1)).code).toBe(0);
    expect((await applyVersion(ns, 2)).code).toBe(0);
    await relabel(ns, 'app.v2', 'abc');

    const apply = await applyVersion(ns, 3);
    expect(apply.stderr).toBe(skippedWarning(ns, 'app.v2', 2));
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('applied 1 objects, pruned 0; recorded revision 3\n');

    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'app']);
    expect(rollback.stderr).toBe(skippedWarning(ns, 'app.v2', 2));
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain(
      'rolled back: rollback to revision 1; applied 1 objects, pruned 0; recorded as revision 4\n',
    );
    const live = await api().request<Manifest & { data: Record<string, string> }>({
      path: `/api/v1/namespaces/${ns}/configmaps/a`,
    });
    expect(live.data).toEqual({ v: '1' });
    expect(await revisionSecrets(ns)).toEqual(['app.v1', 'app.v2', 'app.v3', 'app.v4']);
  });

  test('with ten revisions and more, retention deletes the oldest by number and leaves the unreadable one', async () => {
    const ns = await createNamespace('client-retention');
    for (let version = 1; version <= 11; version++) {
      expect((await applyVersion(ns, version)).code).toBe(0);
    }
    expect(await revisionSecrets(ns)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => `app.v${n}`));
    await relabel(ns, 'app.v3', 'abc');
    for (const version of [12, 13]) {
      const apply = await applyVersion(ns, version);
      expect(apply.stderr).toBe(skippedWarning(ns, 'app.v3', 3));
      expect(apply.stdout).toContain(`recorded revision ${version}\n`);
    }
    // Ten readable revisions are kept (4 to 13); v2, the oldest by number, went; v3 is left for its owner.
    expect(await revisionSecrets(ns)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13].map((n) => `app.v${n}`));
  });

  test('a default rollback whose target cannot be read takes the healthy revision before it, naming the skipped one', async () => {
    const ns = await createNamespace('client-unreadable');
    for (const version of [1, 2, 3]) {
      expect((await applyVersion(ns, version)).code).toBe(0);
    }
    await api().request({
      path: `/api/v1/namespaces/${ns}/secrets/app.v2`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: { data: { manifests: Buffer.from('garbage').toString('base64') } },
    });
    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'app']);
    expect(rollback.stderr).toBe(
      `Warning: revision 2 (Secret ${ns}/app.v2) cannot be read: incorrect header check; skipped, rolling back to the healthy revision before it\n`,
    );
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain('rolled back: rollback to revision 1;');
  });

  test('rollback of an ApplySet that does not exist is refused and creates nothing, not even its namespace', async () => {
    const ns = `client-nothing-${Date.now().toString(36)}`;
    const rollback = await cli(['rollback', '-n', ns, '--applyset', 'app']);
    expect(rollback.stderr).toBe(
      `error: there is no ApplySet app in namespace ${ns}: nothing was ever applied under that name there. Check --applyset and -n (or --env)\n`,
    );
    expect(rollback.code).toBe(1);
    const namespace = await api()
      .request({ path: `/api/v1/namespaces/${ns}` })
      .catch((error: ApiError) => error.code);
    expect(namespace).toBe(404);
  });

  test('history of an ApplySet that does not exist says so and exits 1, as kubectl does for what is not found', async () => {
    const ns = await createNamespace('client-nohistory');
    expect((await applyVersion(ns, 1)).code).toBe(0);
    const history = await cli(['history', '-n', ns, '--applyset', 'ap']);
    expect(history.stdout).toBe(`ApplySet ap in namespace ${ns} (from --applyset)\n`);
    expect(history.stderr).toBe(
      `error: there is no ApplySet ap in namespace ${ns}: nothing was ever applied under that name there. Check --applyset and -n (or --env)\n`,
    );
    expect(history.code).toBe(1);
    expect((await cli(['history', '-n', ns, '--applyset', 'app'])).code).toBe(0);
  });
});
