/** What the GitOps tests share: clusters of their own, a source project, publish, and Flux's view. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, ApiError, CONTENT_TYPES } from '../../client/api-client.js';
import type { Manifest } from '../../client/resources.js';
import { ResourceCatalog } from '../../client/resources.js';
import { runCollected } from '../client/run-cli.js';
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
}

/** The Kustomization once it is Ready with `revision` applied. */
export function appliedRevision(cluster: Cluster, name: string, revision: string) {
  const ref: Manifest = {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
  };
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
