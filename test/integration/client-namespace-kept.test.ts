/**
 * A Namespace that left the app is pruned only once it holds nothing but the app's own objects (issue 22,
 * items 1 and 6): the guard sees every object however many there are, and a kept Namespace stays a member,
 * pruned by a later apply once it is empty, on the real control plane.
 */
import { ApiClient } from '../../client/transport/api-client.js';
import { APPLYSET_ANNOTATIONS, APPLYSET_LABELS, applySetId } from '../../client/plan/applyset.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, configMap, exists, namespaceObject, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const get = (path: string) => api().request<Manifest>({ path });
const create = (ns: string, object: Manifest) =>
  api().request<Manifest>({ path: `/api/v1/namespaces/${ns}/configmaps`, method: 'POST', body: object });

describeCluster('a Namespace that left the app', () => {
  test('is kept while it holds a hand-made object listed after 55 objects the app owns', async () => {
    const home = await createNamespace('client-paged');
    const shared = `${home}-shared`;
    const args = (file: string) => ['apply', file, '-n', home, '--applyset', 'app', '--yes'];
    const owner = configMap(shared, 'a-owner', { x: '1' });
    expect((await cli(args(await writeManifests([namespaceObject(shared), owner])))).code).toBe(0);
    const { uid } = (await get(`/api/v1/namespaces/${shared}/configmaps/a-owner`)).metadata;
    // 55 objects the app's ConfigMap owns (as a controller makes them), listed before the hand-made one.
    const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'a-owner', uid }];
    for (let i = 0; i < 55; i += 1) {
      await create(shared, {
        ...configMap(shared, `b-owned-${i}`, {}),
        metadata: { name: `b-owned-${i}`, ownerReferences },
      });
    }
    await create(shared, configMap(shared, 'z-hand-made', { keep: 'me' }));

    const run = await cli(args(await writeManifests([configMap(home, 'other', { x: '1' })])));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      `kept, not pruned: Namespace/${shared}: it holds objects that are not members of ApplySet app (ConfigMap/${shared}/z-hand-made); delete them first, or delete the Namespace yourself\n`,
    );
    expect(await exists(`/api/v1/namespaces/${shared}`)).toBe(true);
    expect(await exists(`/api/v1/namespaces/${shared}/configmaps/z-hand-made`)).toBe(true);
  });

  test('stays a member while kept: the app takes it back without --adopt, and a later apply prunes it once empty', async () => {
    const home = await createNamespace('client-kept');
    const shared = `${home}-shared`;
    const args = (file: string) => ['apply', file, '-n', home, '--applyset', 'app', '--yes'];
    const withShared = await writeManifests([namespaceObject(shared), configMap(shared, 'mine', { x: '1' })]);
    const without = await writeManifests([configMap(home, 'other', { x: '1' })]);
    expect((await cli(args(withShared))).code).toBe(0);
    await create(shared, configMap(shared, 'theirs', { y: '1' }));
    const kept = await cli(args(without));
    expect(kept.code).toBe(0);
    expect(kept.stdout).toContain(
      `kept, not pruned: Namespace/${shared}: it holds objects that are not members`,
    );
    const parent = await get(`/api/v1/namespaces/${home}/secrets/app`);
    expect(parent.metadata.annotations?.[APPLYSET_ANNOTATIONS.groupKinds]).toBe('ConfigMap,Namespace');
    const id = applySetId({ name: 'app', namespace: home, kind: 'Secret', group: '' });
    expect((await get(`/api/v1/namespaces/${shared}`)).metadata.labels?.[APPLYSET_LABELS.partOf]).toBe(id);

    // Still the app's: declaring it again needs no --adopt, and it is kept again once it leaves.
    const back = await cli(args(withShared));
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    expect((await cli(args(without))).stdout).toContain(`kept, not pruned: Namespace/${shared}`);

    // Another ApplySet cannot take it silently.
    const other = await cli([
      'apply',
      await writeManifests([namespaceObject(shared)]),
      '-n',
      home,
      '--applyset',
      'other',
      '--yes',
    ]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      `Namespace/${shared}: it belongs to ApplySet app (parent Secret ${home}/app)`,
    );

    // Once empty, the next apply of the same manifests prunes it.
    await api().request({ path: `/api/v1/namespaces/${shared}/configmaps/theirs`, method: 'DELETE' });
    const pruned = await cli(args(without));
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain(`pruned Namespace/${shared}`);
    await eventually(`Namespace ${shared} to be gone`, async () =>
      (await exists(`/api/v1/namespaces/${shared}`)) ? undefined : true,
    );
    const after = await get(`/api/v1/namespaces/${home}/secrets/app`);
    expect(after.metadata.annotations?.[APPLYSET_ANNOTATIONS.groupKinds]).toBe('ConfigMap');
  });
});
