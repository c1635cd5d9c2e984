/** What the GitOps tests share: clusters of their own, a source project, publish, and Flux's view. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiObject, Chart } from 'cdk8s';
import { toYaml } from '../util/yaml.js';
import { ApiClient, ApiError, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ResourceCatalog } from '../../client/transport/resources.js';
import type { Environment, GitOps } from '../../lib/gitops/index.js';
import { writeKustomization } from '../../lib/gitops/index.js';
import { runCollected } from '../client/run-cli.js';
import { testApp } from '../util/synth.js';
import { eventually } from './cluster.js';

export const run = promisify(execFile);

export interface Cluster {
  readonly api: ApiClient;
  readonly catalog: ResourceCatalog;
}

export function clusterOf(kubeconfig: string): Cluster {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = ApiClient.fromKubeConfig(kc);
  return { api, catalog: new ResourceCatalog(api) };
}

export async function applyTo(cluster: Cluster, objects: readonly Manifest[]): Promise<void> {
  for (const object of objects) {
    await cluster.api.request({
      method: 'PATCH',
      path: await cluster.catalog.pathOf(object),
      query: { fieldManager: 'cdk8s-devops-test', force: true },
      contentType: CONTENT_TYPES.apply,
      body: object,
    });
  }
}

/** What the tests read of live objects. */
export type Live = Manifest & {
  status?: Record<string, any>;
  spec?: Record<string, any>;
  data?: Record<string, string>;
};

export async function read(cluster: Cluster, object: Manifest): Promise<Live | undefined> {
  try {
    return await cluster.api.request<Live>({ path: await cluster.catalog.pathOf(object) });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) {
      return undefined;
    }
    throw error;
  }
}

interface KustomizationStatus {
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastHandledReconcileAt?: string;
}

/** The Kustomization once it is Ready with `revision` applied. */
export function appliedRevision(cluster: Cluster, name: string, revision: string) {
  const ref = kustomization(name);
  let last = '';
  return eventually(
    `Kustomization ${name} Ready at ${revision}`,
    async () => {
      const live = (await read(cluster, ref)) as { status?: KustomizationStatus } | undefined;
      const ready = live?.status?.conditions?.find((c) => c.type === 'Ready');
      last = JSON.stringify({ ready, applied: live?.status?.lastAppliedRevision });
      return ready?.status === 'True' && live?.status?.lastAppliedRevision === revision
        ? live.status
        : undefined;
    },
    180_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; it last reported ${last}`);
  });
}

const kustomization = (name: string): Manifest => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name, namespace: 'flux-system' },
});

/**
 * Asks Flux to reconcile the Kustomization `name` now, as `flux reconcile kustomization` does (the
 * `reconcile.fluxcd.io/requestedAt` annotation), and waits until it has handled that request, Ready.
 */
export async function requestReconcile(cluster: Cluster, name: string): Promise<void> {
  const requestedAt = new Date().toISOString();
  await cluster.api.request({
    method: 'PATCH',
    path: await cluster.catalog.pathOf(kustomization(name)),
    contentType: CONTENT_TYPES.merge,
    body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': requestedAt } } },
  });
  await eventually(
    `Kustomization ${name} to handle the reconciliation requested at ${requestedAt}`,
    async () => {
      const status = ((await read(cluster, kustomization(name))) as { status?: KustomizationStatus })?.status;
      const ready = status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      return status?.lastHandledReconcileAt === requestedAt && ready ? true : undefined;
    },
    120_000,
  );
}

/** A source project in git whose package.json declares `environments`; dist/ is not committed. */
export async function gitOpsSource(environments: Record<string, object>): Promise<string> {
  const source = await mkdtemp(join(tmpdir(), 'gitops-source-'));
  await writeFile(
    join(source, 'package.json'),
    JSON.stringify({ name: 'shop', 'cdk8s-devops': { environments } }),
  );
  await writeFile(join(source, '.gitignore'), 'dist/\n');
  const identity = {
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
  };
  await run('git', ['init', '--quiet', '--initial-branch=main'], { cwd: source });
  await run('git', ['add', '.'], { cwd: source });
  await run('git', ['commit', '--quiet', '-m', 'shop'], {
    cwd: source,
    env: { ...process.env, ...identity },
  });
  return source;
}

/** `publish --no-synth` of `source` to `repo`, which must succeed; with the revision Flux names it by. */
export async function publishTo(source: string, repo: string, ...args: string[]) {
  const result = await runCollected(['publish', '--repo', repo, '--no-synth', ...args], {
    cwd: source,
    env: { ...process.env },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const { stdout } = await run('git', ['ls-remote', repo, 'refs/heads/main']);
  return { ...result, revision: `main@sha1:${stdout.split('\t')[0]}` };
}

/**
 * Writes `objects` as the folder of environment `env` in `source`, as Environments.synth does for
 * `gitops`: the engine's `prepare` adjusts them (for Flux: the Services a Rollout switches are left to
 * Argo Rollouts), then one YAML file and the kustomization.yaml listing it.
 */
export async function writeEnvironment(
  source: string,
  env: string,
  objects: readonly Manifest[],
  gitops: GitOps,
): Promise<void> {
  const folder = join(source, 'dist', env);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const app = testApp();
  const chart = new Chart(app, 'app');
  for (const [index, object] of objects.entries()) {
    new ApiObject(chart, `o${index}`, object);
  }
  gitops.prepare(app);
  const yaml = chart.toJson().map((o: object) => toYaml(o));
  await writeFile(join(folder, 'app.k8s.yaml'), yaml.join('---\n'));
  writeKustomization(folder);
}

/** Applies to `cluster` the engine's objects `gitops` writes for `environments` (of that cluster). */
export async function bindTo(
  cluster: Cluster,
  gitops: GitOps,
  environments: readonly Environment[],
): Promise<void> {
  const app = testApp();
  gitops.bind(app, environments);
  await applyTo(
    cluster,
    app.charts.flatMap((c) => c.toJson() as Manifest[]),
  );
}
