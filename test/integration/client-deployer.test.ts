/**
 * Least privilege for the client itself (issue 10, case 14): the default app is applied, pruned and
 * recorded by a ServiceAccount bound to exactly the ClusterRole and Role docs/security.md lists.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllYaml, toYaml } from '../util/yaml.js';
import type { Manifest } from '../../client/transport/resources.js';
import { PROJECT_ROOT } from '../util/project.js';
import { createNamespace, describeCluster, serverSideApply, writeKubeconfig } from './cluster.js';
import { cli, serviceAccountToken, serviceAccountWithRole, writeManifests } from './client-cli.js';

/** The ClusterRole and Role of docs/security.md, "The deployer's permissions". */
async function readmeRbac(): Promise<Manifest[]> {
  const readme = await readFile(join(PROJECT_ROOT, 'docs', 'security.md'), 'utf8');
  const section = /<!-- deployer-rbac -->\s*```yaml\n([\s\S]*?)```\s*<!-- \/deployer-rbac -->/.exec(readme);
  if (!section) {
    throw new Error('docs/security.md has no deployer-rbac section');
  }
  return parseAllYaml(section[1]) as Manifest[];
}

describeCluster('the deployer needs only the permissions docs/security.md lists', () => {
  test('a ServiceAccount bound to exactly those applies, prunes and records the default app', async () => {
    const ns = await createNamespace('client-deployer');
    const [clusterRole, role] = await readmeRbac();
    const clusterRoleName = `${clusterRole.metadata.name}-${ns}`;
    await serverSideApply([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace: ns } },
      { ...clusterRole, metadata: { name: clusterRoleName } },
      { ...role, metadata: { ...role.metadata, namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: clusterRoleName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'deployer', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: ns }],
      },
    ] as Manifest[]);
    const token = await serviceAccountToken(ns, 'deployer');
    const dir = (await writeManifests([])).replace(/\/[^/]+$/, '');
    const kubeconfig = join(dir, 'deployer.kubeconfig');
    await writeKubeconfig(kubeconfig, { token }, ns);

    // The default app's committed output, moved into the test's namespace.
    const app = parseAllYaml(await readFile(join(PROJECT_ROOT, 'test/apps/fixture/shop.k8s.yaml'), 'utf8'))
      .filter((m): m is Manifest => !!m)
      .map((m) =>
        m.kind === 'Namespace'
          ? { ...m, metadata: { ...m.metadata, name: ns } }
          : { ...m, metadata: { ...m.metadata, namespace: ns } },
      );
    const file = await writeManifests(app);
    const args = ['--kubeconfig', kubeconfig, '-n', ns, '--applyset', 'shop', '--yes'];
    const first = await cli(['apply', file, ...args]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`applied ${app.length} objects, pruned 0; recorded revision 1`);

    // Pruning, a second revision and the history, with the same permissions.
    const smaller = app.filter((m) => m.kind !== 'CronJob');
    await writeFile(file, smaller.map((m) => toYaml(m)).join('---\n'));
    const second = await cli(['apply', file, ...args]);
    expect(second.stderr).toBe('');
    expect(second.stdout).toContain(`applied ${smaller.length} objects, pruned 1; recorded revision 2`);
    const history = await cli([
      'history',
      '--kubeconfig',
      kubeconfig,
      '-n',
      ns,
      '--applyset',
      'shop',
      '-o',
      'json',
    ]);
    expect((JSON.parse(history.stdout) as unknown[]).length).toBe(2);
  });

  test('a deployer that may not list a kind of the ApplySet is told which permission pruning needs', async () => {
    const ns = await createNamespace('client-noprunelist');
    // The app had a ServiceAccount, applied by someone allowed to.
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const first = await cli([
      'apply',
      await writeManifests([
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns } },
        { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'worker', namespace: ns } },
      ]),
      ...base,
    ]);
    expect(first.code).toBe(0);
    // This deployer may do everything with ConfigMaps, Secrets and Leases, and nothing with ServiceAccounts.
    const token = await serviceAccountWithRole(ns, 'deployer', [
      { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['*'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['*'] },
    ]);
    const kubeconfig = join((await writeManifests([])).replace(/\/[^/]+$/, ''), 'deployer.kubeconfig');
    await writeKubeconfig(kubeconfig, { token }, ns);
    const run = await cli([
      'apply',
      await writeManifests([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: ns } }]),
      ...base,
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(run.stderr).toBe(
      `error: forbidden: serviceaccounts is forbidden: User "system:serviceaccount:${ns}:deployer" cannot list resource "serviceaccounts" in API group "" in the namespace "${ns}"; finding the members of ApplySet app to prune needs list on serviceaccounts in namespace ${ns}: ask for RBAC permission (see "The deployer's permissions" in docs/security.md)\n`,
    );
    expect(run.code).toBe(1);
  });
});
