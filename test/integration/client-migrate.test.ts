/**
 * The ApplySet's name comes from package.json, not the folder (issue 10, case 10); an app applied under
 * its folder's name moves over with `migrate`, members and history included.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { APPLYSET_LABELS, applySetId } from '../../client/plan/applyset.js';
import type { Manifest } from '../../client/transport/resources.js';
import { REVISION_ANNOTATIONS } from '../../client/record/revisions.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());

describeCluster('migrate', () => {
  test('an app applied under its folder name moves to the package.json name, members and history included', async () => {
    const ns = await createNamespace('client-migrate');
    const project = await mkdtemp(join(tmpdir(), 'my-shop-'));
    const folderName = project.split('/').at(-1)!.toLowerCase();
    const file = await writeManifests(
      [configMap(ns, 'a', { v: '1' }), configMap(ns, 'b', { v: '1' })],
      project,
    );
    // As the client did before: the ApplySet named after the folder, revisions without status or count.
    expect(
      (await cli(['apply', file, '-n', ns, '--applyset', folderName, '--yes', '-m', 'old one'])).code,
    ).toBe(0);
    await api().request({
      path: `/api/v1/namespaces/${ns}/secrets/${folderName}.v1`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: {
        metadata: {
          annotations: {
            [REVISION_ANNOTATIONS.status]: null,
            [REVISION_ANNOTATIONS.objects]: null,
            [REVISION_ANNOTATIONS.parts]: null,
            [REVISION_ANNOTATIONS.writer]: null,
          },
        },
      },
    });
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'shop', 'cdk8s-devops': { namespace: ns } }),
    );

    const migrate = await cli(['migrate', '--from', folderName], { cwd: project });
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toBe(
      `ApplySet shop in namespace ${ns} (from ${join(project, 'package.json')} "name")\nmigrated 2 objects and 1 revisions from ApplySet ${folderName} to shop\n`,
    );
    const a = await api().request<Manifest>({ path: `/api/v1/namespaces/${ns}/configmaps/a` });
    expect(a.metadata.labels?.[APPLYSET_LABELS.partOf]).toBe(
      applySetId({ name: 'shop', namespace: ns, kind: 'Secret', group: '' }),
    );
    const diff = await cli(['diff', file], { cwd: project });
    expect(diff.stdout).toContain('0 to create, 0 to update, 0 to delete, 2 unchanged');
    expect(diff.code).toBe(0);
    const history = JSON.parse((await cli(['history', '-o', 'json'], { cwd: project })).stdout) as {
      number: number;
      message: string;
      status: string;
      objects: number;
    }[];
    expect(history.map((r) => [r.number, r.message, r.status, r.objects])).toEqual([
      [1, 'old one', 'deployed', 2],
    ]);
    const secrets = await api().request<{ items: Manifest[] }>({ path: `/api/v1/namespaces/${ns}/secrets` });
    expect(secrets.items.map((s) => s.metadata.name).sort()).toEqual(['shop', 'shop.v1']);
    // The moved revision is usable: a rollback target.
    expect(
      (
        await cli(['apply', await writeManifests([configMap(ns, 'a', { v: '2' })]), '--yes'], {
          cwd: project,
        })
      ).code,
    ).toBe(0);
    const rollback = await cli(['rollback'], { cwd: project });
    expect(rollback.stdout).toContain(
      'rolled back: rollback to revision 1; applied 2 objects, pruned 0; recorded as revision 3',
    );
  });
});
