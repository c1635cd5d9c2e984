/**
 * Data loss and takeover (issue 10, cases 1, 3, 4, 12): empty sets, Namespaces that must stay, objects
 * of another ApplySet, objects declared twice, and fields of another field manager, on the real control plane.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../client/transport/api-client.js';
import { APPLYSET_LABELS, applySetId } from '../../client/plan/applyset.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, serverSideApply, testKubeConfig } from './cluster.js';
import { cli, configMap, exists, namespaceObject, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const get = (path: string) => api().request<Manifest>({ path });

describeCluster('the client never loses an application', () => {
  test('an empty manifest set is refused as kubectl refuses it, and nothing is pruned', async () => {
    const ns = await createNamespace('client-empty');
    const file = await writeManifests([configMap(ns, 'a', { x: '1' }), configMap(ns, 'b', { x: '1' })]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes'])).code).toBe(0);
    const emptyFolder = await mkdtemp(join(tmpdir(), 'cdk8s-devops-empty-'));
    await writeFile(join(emptyFolder, 'app.k8s.yaml'), '# nothing here\n---\n');
    for (const command of ['apply', 'diff', 'deploy']) {
      const run = await cli(
        [command, emptyFolder, '-n', ns, '--applyset', 'app', '--yes', '--no-synth'].slice(
          0,
          command === 'deploy' ? 8 : command === 'diff' ? 6 : 7,
        ),
      );
      expect(run.stderr).toBe(
        `error: no objects passed to apply: the manifests hold no objects, and applying none would delete every object of ApplySet app; check the paths (or run \`npm run synth\`), or run \`cdk8s-devops delete\` to delete the app\n`,
      );
      expect(run.code).toBe(command === 'diff' ? 2 : 1);
    }
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/a`)).toBe(true);
    const history = await cli(['history', '-n', ns, '--applyset', 'app', '-o', 'json']);
    expect(JSON.parse(history.stdout)).toHaveLength(1);
  });

  test('delete is the explicit way: it lists what it removes, then removes the members, the parent and the revisions', async () => {
    const ns = await createNamespace('client-delete');
    const file = await writeManifests([configMap(ns, 'a', { x: '1' })]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes'])).code).toBe(0);
    const refused = await cli(['delete', '-n', ns, '--applyset', 'app']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error: nothing deleted: stdin is not a terminal, so there is no one to confirm; pass --yes\n',
    );
    const run = await cli(['delete', '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`delete     ConfigMap/${ns}/a`);
    expect(run.stdout).toContain('deleted 1 objects, the ApplySet app and its revisions\n');
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/a`)).toBe(false);
    expect(await exists(`/api/v1/namespaces/${ns}/secrets/app`)).toBe(false);
    expect(await exists(`/api/v1/namespaces/${ns}/secrets/app.v1`)).toBe(false);
  });

  test("delete says the ApplySet's own Namespace goes last, and deletes it last", async () => {
    const ns = await createNamespace('client-delete-home');
    const file = await writeManifests([namespaceObject(ns), configMap(ns, 'a', { x: '1' })]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes'])).code).toBe(0);
    const run = await cli(['delete', '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `delete last: Namespace/${ns}, once the ApplySet's parent Secret and revisions in it are deleted (unless it holds objects of other apps)\n`,
    );
    expect(run.stdout).not.toContain('kept, not pruned');
    expect(run.stdout).toContain('deleted 2 objects, the ApplySet app and its revisions\n');
    const namespace = await get(`/api/v1/namespaces/${ns}`).catch(() => undefined);
    expect(namespace?.metadata.deletionTimestamp ?? 'gone').toBeTruthy();
  });

  test("the Namespace that holds the ApplySet's parent and revisions is never pruned", async () => {
    const ns = await createNamespace('client-parentns');
    const withNamespace = await writeManifests([namespaceObject(ns), configMap(ns, 'a', { x: '1' })]);
    expect((await cli(['apply', withNamespace, '-n', ns, '--applyset', 'app', '--yes'])).code).toBe(0);
    const without = await writeManifests([configMap(ns, 'a', { x: '1' })]);
    const run = await cli(['apply', without, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `kept, not pruned: Namespace/${ns}: it holds the ApplySet's parent Secret and revisions (run \`cdk8s-devops delete\` to delete the app and them)\n`,
    );
    expect(await exists(`/api/v1/namespaces/${ns}`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${ns}/secrets/app.v1`)).toBe(true);
  });

  test('a Namespace that holds objects of others is never pruned: the client says so instead', async () => {
    const home = await createNamespace('client-home');
    const shared = `${home}-shared`;
    const app = await writeManifests([namespaceObject(shared), configMap(shared, 'mine', { x: '1' })]);
    expect((await cli(['apply', app, '-n', home, '--applyset', 'app', '--yes'])).code).toBe(0);
    // Someone else's object in that Namespace.
    await serverSideApply([configMap(shared, 'theirs', { y: '1' })]);
    const rest = await writeManifests([configMap(home, 'other', { x: '1' })]);
    const run = await cli(['apply', rest, '-n', home, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `kept, not pruned: Namespace/${shared}: it holds objects that are not members of ApplySet app (ConfigMap/${shared}/theirs); delete them first, or delete the Namespace yourself\n`,
    );
    expect(run.stdout).toContain(`pruned ConfigMap/${shared}/mine`);
    expect(await exists(`/api/v1/namespaces/${shared}/configmaps/theirs`)).toBe(true);
  });

  test('an object of another ApplySet is a conflict in diff and is never taken over unless --adopt', async () => {
    const ns = await createNamespace('client-takeover');
    const first = await writeManifests([
      configMap(ns, 'shared', { owner: 'first' }),
      configMap(ns, 'first-only', {}),
    ]);
    const second = await writeManifests([
      configMap(ns, 'shared', { owner: 'first' }),
      configMap(ns, 'second-only', {}),
    ]);
    expect((await cli(['apply', first, '-n', ns, '--applyset', 'first', '--yes'])).code).toBe(0);

    const diff = await cli(['diff', second, '-n', ns, '--applyset', 'second']);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain(`conflict   ConfigMap/${ns}/shared`);
    const reason = `it belongs to ApplySet first (parent Secret ${ns}/first), not to ApplySet second; rerun with --adopt to take it over`;
    expect(diff.stdout).toContain(`conflict: ConfigMap/${ns}/shared: ${reason}\n`);

    const apply = await cli(['apply', second, '-n', ns, '--applyset', 'second', '--yes']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toBe(
      `error: 1 object cannot be applied:\n  - ConfigMap/${ns}/shared: ${reason}\nnothing was applied\n`,
    );
    const firstId = applySetId({ name: 'first', namespace: ns, kind: 'Secret', group: '' });
    const shared = await get(`/api/v1/namespaces/${ns}/configmaps/shared`);
    expect(shared.metadata.labels?.[APPLYSET_LABELS.partOf]).toBe(firstId);
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/second-only`)).toBe(false);

    const adopt = await cli(['apply', second, '-n', ns, '--applyset', 'second', '--yes', '--adopt']);
    expect(adopt.code).toBe(0);
    expect(
      (await get(`/api/v1/namespaces/${ns}/configmaps/shared`)).metadata.labels?.[APPLYSET_LABELS.partOf],
    ).toBe(applySetId({ name: 'second', namespace: ns, kind: 'Secret', group: '' }));
  });

  test('the same object twice is refused, naming both places', async () => {
    const ns = await createNamespace('client-twice');
    const dir = await mkdtemp(join(tmpdir(), 'cdk8s-devops-twice-'));
    await mkdir(dir, { recursive: true });
    const a = await writeManifests([configMap(ns, 'settings', { v: '1' }), configMap(ns, 'x', {})], dir);
    const b = join(dir, 'more.k8s.yaml');
    // No namespace: the same object once the default namespace (-n) settles it.
    await writeFile(
      b,
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  v: "2"\n`,
    );
    const run = await cli(['apply', a, b, '-n', ns, '--applyset', 'app', '--yes']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `error: the manifests declare an object twice:\n  - ConfigMap/${ns}/settings: ${a}, document 1 and ${b}, document 2\nremove one of each pair; nothing was applied\n`,
    );
    expect(await exists(`/api/v1/namespaces/${ns}/configmaps/x`)).toBe(false);
  });

  test('diff shows a field another manager owns as a conflict, and apply changes nothing instead of failing midway', async () => {
    const ns = await createNamespace('client-fieldconflict');
    await serverSideApply([configMap(ns, 'owned', { key: 'theirs' })]);
    const file = await writeManifests([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'early', namespace: ns } },
      configMap(ns, 'owned', { key: 'ours' }),
    ]);
    const diff = await cli(['diff', file, '-n', ns, '--applyset', 'app']);
    expect(diff.stdout).toContain(`conflict   ConfigMap/${ns}/owned`);
    expect(diff.stdout).toMatch(
      /conflict: ConfigMap\/\S+\/owned: Apply failed with 1 conflict: conflict with "cdk8s-devops-test"/,
    );
    const apply = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain('rerun with --force-conflicts to take them over');
    // The ServiceAccount comes in an earlier stage: before, it was applied and then the ConfigMap failed.
    expect(await exists(`/api/v1/namespaces/${ns}/serviceaccounts/early`)).toBe(false);
    const forced = await cli(['apply', file, '-n', ns, '--applyset', 'app', '--yes', '--force-conflicts']);
    expect(forced.code).toBe(0);
  });
});
