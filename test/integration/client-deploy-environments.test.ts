/**
 * `deploy --env staging --env prod` on two real control planes, one per environment, named by a context
 * each of one kubeconfig: one command deploys both at once, each with its own lock, history and wait;
 * lines say which environment they belong to; one failing (an error, a wait that times out) never stops
 * the other, and the command exits with the worst code.
 */
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsYaml from 'js-yaml';
import { ApiClient } from '../../client/transport/api-client.js';
import { loadKubeConfig } from '../../client/index.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ControlPlane } from '../cluster/control-plane.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { runCollected } from '../client/run-cli.js';
import { toYaml } from '../util/yaml.js';
import { describeCluster } from './cluster.js';
import { configMap, deployment, namespaceObject } from './client-cli.js';

const ENVIRONMENTS = ['staging', 'prod'] as const;
type Env = (typeof ENVIRONMENTS)[number];

interface KubeConfigFile {
  clusters: { name: string }[];
  users: { name: string }[];
  contexts: { name: string; context: { cluster: string; user: string } }[];
}

/** One kubeconfig with a context per plane (`staging-plane`, `prod-plane`), as a platform team has. */
async function mergedKubeconfig(files: Record<Env, string>, target: string): Promise<void> {
  const merged: KubeConfigFile & Record<string, unknown> = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [],
    users: [],
    contexts: [],
  };
  for (const env of ENVIRONMENTS) {
    const file = jsYaml.load(await readFile(files[env], 'utf8')) as KubeConfigFile;
    const name = `${env}-plane`;
    merged.clusters.push({ ...file.clusters[0], name });
    merged.users.push({ ...file.users[0], name });
    merged.contexts.push({ name, context: { cluster: name, user: name } });
  }
  await writeFile(target, jsYaml.dump(merged), { mode: 0o600 });
}

describeCluster('deploy of two environments on two control planes at once', () => {
  let prodPlane: ControlPlane;
  let dir: string;
  const suffix = Math.random().toString(16).slice(2, 8);
  const namespaces: Record<Env, string> = { staging: `shop-staging-${suffix}`, prod: `shop-prod-${suffix}` };
  const api = (env: Env) =>
    ApiClient.fromKubeConfig(
      loadKubeConfig({ kubeconfig: join(dir, 'clusters.yaml'), context: `${env}-plane` }),
    );
  const writeEnvironment = async (env: Env, objects: Manifest[]) => {
    await mkdir(join(dir, 'dist', env), { recursive: true });
    await writeFile(join(dir, 'dist', env, 'app.k8s.yaml'), objects.map((o) => toYaml(o)).join('---\n'));
  };
  const app = (env: Env, version: string, extra: Manifest[] = []) => [
    namespaceObject(namespaces[env]),
    configMap(namespaces[env], 'settings', { version }),
    deployment(namespaces[env], 'web', 2),
    ...extra,
  ];
  const deploy = (...args: string[]) =>
    runCollected(['deploy', '--env', 'staging', '--env', 'prod', '--no-synth', '--yes', ...args], {
      cwd: dir,
      env: { ...process.env, KUBECONFIG: undefined },
    });
  const live = async (env: Env, name: string) =>
    (
      await api(env).request<{ data: Record<string, string> }>({
        path: `/api/v1/namespaces/${namespaces[env]}/configmaps/${name}`,
      })
    ).data;
  const history = async (env: Env) => {
    const run = await runCollected(['history', '--env', env, '-o', 'json'], {
      cwd: dir,
      env: { ...process.env, KUBECONFIG: undefined },
    });
    expect(run.stderr).toBe('');
    return (JSON.parse(run.stdout) as { number: number; status: string }[]).map(
      (r) => `${r.number} ${r.status}`,
    );
  };

  beforeAll(async () => {
    prodPlane = await ControlPlane.start({ nodes: 1 });
    dir = await mkdtemp(join(tmpdir(), 'deploy-environments-'));
    await mergedKubeconfig(
      { staging: process.env[KUBECONFIG_VARIABLE]!, prod: prodPlane.kubeconfig },
      join(dir, 'clusters.yaml'),
    );
    const environments = Object.fromEntries(
      ENVIRONMENTS.map((env) => [
        env,
        { namespace: namespaces[env], kubeconfig: 'clusters.yaml', context: `${env}-plane` },
      ]),
    );
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'shop', 'cdk8s-devops': { environments } }),
    );
  }, 600_000);

  afterAll(async () => {
    await prodPlane?.stop();
  });

  test('deploys both, each on its own cluster with its own ApplySet, history and wait, on labelled lines', async () => {
    await writeEnvironment('staging', app('staging', '2'));
    await writeEnvironment('prod', app('prod', '1'));
    const run = await deploy('--timeout', '2m');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    for (const env of ENVIRONMENTS) {
      expect(lines).toContain(
        `[${env}] ApplySet shop-${env} in namespace ${namespaces[env]} (from ${join(dir, 'package.json')} "cdk8s-devops.environments.${env}")`,
      );
      expect(lines).toContainEqual(
        expect.stringMatching(new RegExp(`^\\[${env}\\] .*Z Deployment/${namespaces[env]}/web ready$`)),
      );
      expect(lines).toContain(`[${env}] applied 3 objects, pruned 0; recorded revision 1`);
    }
    // Every line but the summary belongs to one environment.
    expect(lines.filter((l) => l !== '' && !/^\[(staging|prod)\]( |$)/.test(l))).toEqual([
      'deployed staging, prod',
    ]);
    expect(await live('staging', 'settings')).toEqual({ version: '2' });
    expect(await live('prod', 'settings')).toEqual({ version: '1' });
    // Each environment is on its own plane only.
    await expect(
      api('prod').request({ path: `/api/v1/namespaces/${namespaces.staging}` }),
    ).rejects.toMatchObject({ code: 404 });
    await expect(
      api('staging').request({ path: `/api/v1/namespaces/${namespaces.prod}` }),
    ).rejects.toMatchObject({ code: 404 });
    expect(await history('staging')).toEqual(['1 deployed']);
    expect(await history('prod')).toEqual(['1 deployed']);
  }, 300_000);

  test('prod failing to apply neither stops nor rolls back staging; the report names prod; exit 1', async () => {
    await writeEnvironment('staging', app('staging', '3'));
    // A Service of an unknown type: the server refuses it.
    const broken: Manifest = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'broken', namespace: namespaces.prod },
      spec: { type: 'Nowhere', ports: [{ port: 80 }] },
    };
    await writeEnvironment('prod', app('prod', '2', [broken]));
    const run = await deploy('--timeout', '2m', '--rollback-on-failure');
    expect(run.code).toBe(1);
    // Every line of prod's error is prod's; staging has none.
    expect(run.stderr).toBe(
      `[prod] error: computing the change set failed for 1 object:\n[prod]   - Service/${namespaces.prod}/broken: Invalid: Service "broken" is invalid: spec.type: Unsupported value: "Nowhere": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"\n`,
    );
    expect(run.stdout).toContain('[staging] applied 3 objects, pruned 0; recorded revision 2');
    expect(run.stdout).toContain(
      '1 of 2 environments failed (prod); each ran to its own end:\n  staging: deployed\n  prod: failed (exit 1)\n',
    );
    expect(await live('staging', 'settings')).toEqual({ version: '3' });
    expect(await live('prod', 'settings')).toEqual({ version: '1' });
    expect(await history('staging')).toEqual(['1 superseded', '2 deployed']);
    expect(await history('prod')).toEqual(['1 deployed']);
  }, 300_000);

  test('prod not ready in time: staging still deploys, the command exits 2, the worst of the two', async () => {
    await writeEnvironment('staging', app('staging', '4'));
    // Pods no node can take: the Deployment never becomes ready.
    const stuck = deployment(namespaces.prod, 'stuck', 1) as Manifest & {
      spec: { template: { spec: Record<string, unknown> } };
    };
    stuck.spec.template.spec.nodeSelector = { 'example.com/no-such-node': 'true' };
    await writeEnvironment('prod', app('prod', '1', [stuck]));
    const run = await deploy('--timeout', '15s');
    expect(run.stdout).toContain('[staging] applied 3 objects, pruned 0; recorded revision 3');
    expect(run.stdout).toContain(
      '1 of 2 environments failed (prod); each ran to its own end:\n  staging: deployed\n  prod: applied, not ready in time (exit 2)\n',
    );
    expect(run.code).toBe(2);
    expect(await live('staging', 'settings')).toEqual({ version: '4' });
  }, 300_000);
});
