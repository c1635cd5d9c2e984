/** The prod environment of the default app, applied by the client with its own ApplySet. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { applySetId } from '../../client/applyset.js';
import { PROJECT_ROOT } from '../util/project.js';
import { cli } from './client-cli.js';
import { describeCluster, testKubeConfig } from './cluster.js';

/** This project's package.json and cdk8s.yaml in a folder of their own, prod in `namespace`. */
function defaultAppProject(namespace: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'package-environments-'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  pkg['cdk8s-devops'].environments.prod.namespace = namespace;
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
  const config = readFileSync(join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8').replace(
    /^app: .*$/m,
    `app: node --import tsx ${join(PROJECT_ROOT, 'main.ts')}`,
  );
  writeFileSync(join(dir, 'cdk8s.yaml'), config);
  return dir;
}

describeCluster('environments on a real control plane', () => {
  test('deploy --env prod synthesizes prod alone, applies it with its own ApplySet, and it becomes ready', async () => {
    const namespace = `shop-prod-${randomBytes(3).toString('hex')}`;
    const dir = defaultAppProject(namespace);
    const result = await cli(['deploy', '--env', 'prod', '--yes', '--timeout', '4m'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['gitops', 'prod']);
    const [, ready, total] = /ready: (\d+) of (\d+) objects ready/.exec(result.stdout) ?? [];
    expect(Number(total)).toBeGreaterThan(20);
    expect(ready).toBe(total);

    const id = applySetId({ name: 'shop-prod', namespace, kind: 'Secret', group: '' });
    const kc = testKubeConfig();
    const parent = await kc.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'shop-prod', namespace });
    expect(parent.metadata?.labels?.['applyset.kubernetes.io/id']).toBe(id);
    const api = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'api', namespace });
    expect(api.metadata?.labels?.['applyset.kubernetes.io/part-of']).toBe(id);
    expect(api.spec?.template.spec?.containers[0].image).toBe('ghcr.io/cdk8s-devops/api:1.4.2');
  }, 300_000);
});
