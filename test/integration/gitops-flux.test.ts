/**
 * GitOps on the real engine, on two control planes: `publish` pushes each environment's folder to the
 * GitOps repository on the harness's git server, and the Flux controllers of each environment's own
 * cluster (bound by the objects GitOps.flux writes for that cluster) reconcile it.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Duration } from 'cdk8s';
import { toYaml } from '../util/yaml.js';
import { CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { Environment, GitOps, writeKustomization } from '../../lib/gitops/index.js';
import { ControlPlane } from '../cluster/control-plane.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { runCollected } from '../client/run-cli.js';
import { configMap, deployment } from './client-cli.js';
import { describeCluster, eventually } from './cluster.js';
import type { Cluster } from './gitops.js';
import { appliedRevision, bindTo, clusterOf, gitOpsSource, publishTo, read, run } from './gitops.js';

const GIT_REPOSITORY: Manifest = {
  apiVersion: 'source.toolkit.fluxcd.io/v1',
  kind: 'GitRepository',
  metadata: { name: 'shop', namespace: 'flux-system' },
};

const restricted = (manifest: Manifest): Manifest => {
  const spec = manifest.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
  spec.template.spec.containers[0].securityContext = {
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  return manifest;
};

describeCluster('GitOps with Flux on two clusters', () => {
  let prodPlane: ControlPlane;
  let source: string;
  let repo: string;
  const suffix = Math.random().toString(16).slice(2, 8);
  const namespaces = { staging: `shop-staging-${suffix}`, prod: `shop-prod-${suffix}` };
  const staging = clusterOf(process.env[KUBECONFIG_VARIABLE]!);
  let prod: Cluster;

  /** The environment's synthesized folder: its namespace, the web Deployment and Service, and `extra`. */
  async function synth(env: 'staging' | 'prod', version: string, extra: boolean): Promise<void> {
    const ns = namespaces[env];
    const folder = join(source, 'dist', env);
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
    const objects: Manifest[] = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
      },
      configMap(ns, 'web-settings', { VERSION: version }),
      restricted(deployment(ns, 'web', 2)),
      ...(extra ? [configMap(ns, 'worker-settings', { VERSION: version })] : []),
    ];
    await writeFile(join(folder, 'app.k8s.yaml'), objects.map((o) => toYaml(o)).join('---\n'));
    writeKustomization(folder);
  }

  const publish = (...args: string[]) => publishTo(source, repo, ...args);

  beforeAll(async () => {
    prodPlane = await ControlPlane.start({ nodes: 1 });
    prod = clusterOf(prodPlane.kubeconfig);
    // The GitOps repository lives on the prod plane's git server, which this test can stop.
    const git = prodPlane.state.git;
    const created = await fetch(`${git}/repositories/gitops-${suffix}.git`, { method: 'POST' });
    expect(created.status).toBe(201);
    repo = `${git}/gitops-${suffix}.git`;
    source = await gitOpsSource({
      staging: { cluster: 'staging', namespace: namespaces.staging },
      prod: { cluster: 'prod', namespace: namespaces.prod },
    });
  }, 600_000);

  afterAll(async () => {
    await prodPlane?.stop();
  });

  /** Each cluster's engine gets the GitRepository and the Kustomization of its own environment. */
  async function bootstrap(): Promise<void> {
    const gitops = GitOps.flux({
      url: repo,
      interval: Duration.seconds(5),
      retryInterval: Duration.seconds(5),
    });
    for (const [name, cluster] of [
      ['staging', staging],
      ['prod', prod],
    ] as const) {
      await bindTo(cluster, gitops, [
        new Environment({ name, folder: `dist/${name}`, applySet: `shop-${name}`, cluster: name }),
      ]);
    }
  }

  test('publish: each cluster reconciles its own environment, Ready at the published commit; a removed object is pruned', async () => {
    await synth('staging', '2.0.0', true);
    await synth('prod', '1.0.0', false);
    const first = await publish();
    expect(first.stdout).toContain(
      `staging: 4 added, 0 changed, 0 removed\n  + ConfigMap/${namespaces.staging}/web-settings\n`,
    );
    await bootstrap();
    await Promise.all([
      appliedRevision(staging, 'shop-staging', first.revision),
      appliedRevision(prod, 'shop-prod', first.revision),
    ]);
    // `wait: true`: Ready means every object was Ready, the Deployments' pods included.
    const web = (cluster: Cluster, ns: string) =>
      read(cluster, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: ns } });
    expect((await web(staging, namespaces.staging))?.status?.readyReplicas).toBe(2);
    expect((await web(prod, namespaces.prod))?.status?.readyReplicas).toBe(2);
    // Each environment only in its own cluster.
    expect(await web(prod, namespaces.staging)).toBeUndefined();
    expect(await web(staging, namespaces.prod)).toBeUndefined();

    await synth('staging', '2.0.1', false);
    const second = await publish('--env', 'staging');
    expect(second.stdout).toBe(
      [
        'staging: 0 added, 1 changed, 1 removed',
        `  ~ ConfigMap/${namespaces.staging}/web-settings`,
        `  - ConfigMap/${namespaces.staging}/worker-settings`,
        `published staging from ${(await run('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: source })).stdout.trim()} as ${second.revision.slice(10, 17)} to ${repo} main`,
        '',
      ].join('\n'),
    );
    await appliedRevision(staging, 'shop-staging', second.revision);
    const settings = (ns: string, name: string) => read(staging, configMap(ns, name, {}));
    expect(await settings(namespaces.staging, 'worker-settings')).toBeUndefined();
    expect((await settings(namespaces.staging, 'web-settings'))?.data).toEqual({
      VERSION: '2.0.1',
    });
    expect(await web(staging, namespaces.staging)).toBeDefined();
    expect((await read(prod, configMap(namespaces.prod, 'web-settings', {})))?.data).toEqual({
      VERSION: '1.0.0',
    });
  }, 600_000);

  const status = (env: 'staging' | 'prod', kubeconfig: string) =>
    runCollected(['status', '--gitops', '--env', env, '--kubeconfig', kubeconfig], {
      cwd: source,
      env: { ...process.env },
    });

  const suspendSource = async (suspend: boolean) =>
    staging.api.request({
      method: 'PATCH',
      path: await staging.catalog.pathOf(GIT_REPOSITORY),
      contentType: CONTENT_TYPES.merge,
      body: { spec: { suspend } },
    });

  test('a broken manifest and a stopped git server: the engine keeps the last good state, and status --gitops says why', async () => {
    const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
    const good = (await run('git', ['ls-remote', repo, 'refs/heads/main'])).stdout.split('\t')[0];
    await appliedRevision(staging, 'shop-staging', `main@sha1:${good}`);
    const ok = await status('staging', kubeconfig);
    expect(ok.stdout).toContain(`staging: commit ${good.slice(0, 7)} applied\n`);
    expect(ok.code).toBe(0);

    await synth('staging', '2.0.2', false);
    const file = join(source, 'dist', 'staging', 'app.k8s.yaml');
    const broken = (await readFile(file, 'utf8')).replace('replicas: 2', 'replicas: two');
    await writeFile(file, broken);
    // Held back, the engine stays Ready at the good commit: status says the published one has not arrived.
    await suspendSource(true);
    const { revision } = await publish('--env', 'staging');
    const notFetched = await status('staging', kubeconfig);
    expect(notFetched.stdout).toContain(
      `staging: commit ${good.slice(0, 7)} applied; commit ${revision.slice(10, 17)} published, not fetched yet by GitRepository/flux-system/shop\n`,
    );
    expect(notFetched.code).toBe(2);
    await suspendSource(false);
    const failed = await eventually(
      'the Kustomization to fail on the broken commit',
      async () => {
        const result = await status('staging', kubeconfig);
        // Ready=False once the engine gave up on the commit (Unknown while it is still trying it).
        return result.code === 1 && result.stdout.includes(`commit ${revision.slice(10, 17)} not applied`)
          ? result
          : undefined;
      },
      120_000,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      new RegExp(
        `staging: commit ${good.slice(0, 7)} applied; commit ${revision.slice(10, 17)} not applied: .*Deployment/${namespaces.staging}/web.*replicas`,
      ),
    );
    // The last good state stays: version 2.0.1, two ready pods.
    expect((await read(staging, configMap(namespaces.staging, 'web-settings', {})))?.data).toEqual({
      VERSION: '2.0.1',
    });

    await prodPlane.restart('git-server', async () => {
      const unreachable = await eventually(
        'the GitRepository to fail fetching',
        async () => {
          const result = await status('staging', kubeconfig);
          return result.stdout.includes('the source cannot be fetched') ? result : undefined;
        },
        120_000,
      );
      expect(unreachable.stdout).toMatch(
        new RegExp(`; the source cannot be fetched \\(GitRepository/flux-system/shop\\): .*127\\.0\\.0\\.1`),
      );
      expect((await read(staging, configMap(namespaces.staging, 'web-settings', {})))?.data).toEqual({
        VERSION: '2.0.1',
      });
      const web = await read(staging, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: namespaces.staging },
      });
      expect(web?.status?.readyReplicas).toBe(2);
    });
  }, 600_000);
});
