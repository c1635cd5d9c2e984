/** deploy: synth, diff, apply and watch in one command, in a project of its own. */
import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../../client/transport/api-client.js';
import { PROJECT_ROOT } from '../util/project.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';
import { cli } from './client-cli.js';

/** A cdk8s project whose app synthesizes one Deployment with `replicas` to dist/. */
async function project(
  namespace: string,
): Promise<{ dir: string; setReplicas: (n: number) => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'cdk8s-devops-project-'));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: '@acme/shop', 'cdk8s-devops': { namespace } }, null, 2),
  );
  await symlink(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'cdk8s.yaml'), 'language: typescript\napp: node app.mjs\noutput: dist\n');
  const setReplicas = (replicas: number) =>
    writeFile(
      join(dir, 'app.mjs'),
      `import { mkdirSync, writeFileSync } from 'node:fs';
mkdirSync('dist', { recursive: true });
writeFileSync('dist/app.k8s.yaml', JSON.stringify({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: '${namespace}' },
  spec: { replicas: ${replicas}, selector: { matchLabels: { app: 'api' } },
    template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'api:1' }] } } },
}));
`,
    );
  await setReplicas(1);
  return { dir, setReplicas };
}

describeCluster('cdk8s-devops deploy', () => {
  test('synthesizes the project, shows the change set, applies it and waits until it is ready', async () => {
    const ns = await createNamespace('client-deploy');
    const { dir, setReplicas } = await project(ns);
    const first = await cli(['deploy', '--yes', '--timeout', '90s'], { cwd: dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // The name from package.json (its last part), the namespace from its cdk8s-devops key.
    expect(first.stdout.split('\n')[0]).toBe(
      `ApplySet shop in namespace ${ns} (from ${join(dir, 'package.json')} "name")`,
    );
    expect(first.stdout).toContain(`create     Deployment/${ns}/api`);
    expect(first.stdout).toContain('1 to create, 0 to update, 0 to delete, 0 unchanged');
    expect(first.stdout).toMatch(new RegExp(`Z Deployment/${ns}/api ready\\n`));
    expect(first.stdout).toContain('applied 1 objects, pruned 0; recorded revision 1');

    await setReplicas(3);
    const second = await cli(['deploy', '--yes', '-o', 'json'], { cwd: dir });
    expect(second.code).toBe(0);
    const result = JSON.parse(second.stdout);
    expect(result.changeSet.summary).toEqual({ create: 0, update: 1, delete: 0, unchanged: 0, conflict: 0 });
    expect(result.wait.outcome).toBe('ready');
    expect(result.revision.number).toBe(2);
    const live = await ApiClient.fromKubeConfig(testKubeConfig()).request<{ spec: { replicas: number } }>({
      path: `/apis/apps/v1/namespaces/${ns}/deployments/api`,
    });
    expect(live.spec.replicas).toBe(3);

    // Nothing changed: nothing applied, no revision recorded, and still a wait for readiness.
    const third = await cli(['deploy', '--yes', '--no-synth'], { cwd: dir });
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('0 to create, 0 to update, 0 to delete, 1 unchanged');
    expect(third.stdout).toContain('ready: 1 of 1 objects ready');
    expect(third.stdout).not.toContain('recorded revision');
    const history = await cli(['history', '-o', 'json'], { cwd: dir });
    expect((JSON.parse(history.stdout) as { status: string }[]).map((r) => r.status)).toEqual([
      'superseded',
      'deployed',
    ]);

    // The same project cloned into another folder is the same release: nothing to change, the same history.
    const clone = await project(ns);
    await clone.setReplicas(3);
    const again = await cli(['deploy', '--yes'], { cwd: clone.dir });
    expect(again.stdout).toContain('0 to create, 0 to update, 0 to delete, 1 unchanged');
    expect(again.stdout).not.toContain('recorded revision');
    expect(again.code).toBe(0);
  });

  test('apply and deploy refuse to act unasked when stdin is not a terminal (kapp does)', async () => {
    const ns = await createNamespace('client-noyes');
    const { dir } = await project(ns);
    const run = await cli(['deploy'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'error: nothing applied: stdin is not a terminal, so there is no one to confirm; pass --yes\n',
    );
    // Nothing was ever applied under the project's ApplySet: history says so.
    const history = await cli(['history', '-o', 'json'], { cwd: dir });
    expect(history.stderr).toMatch(
      new RegExp(
        `^error: there is no ApplySet \\S+ in namespace ${ns}: nothing was ever applied under that name there`,
      ),
    );
    expect(history.code).toBe(1);
  });

  test('a failing synth stops the deploy before anything is applied', async () => {
    const ns = await createNamespace('client-badsynth');
    const { dir } = await project(ns);
    await writeFile(join(dir, 'app.mjs'), "throw new Error('the app is broken');\n");
    const run = await cli(['deploy', '--yes'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(`^error: cdk8s synth failed in ${dir}:\\n[\\s\\S]*the app is broken`),
    );
    expect(run.stderr).not.toContain('applied');
  });
});
