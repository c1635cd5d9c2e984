/** What the integration tests share: the cluster under test, namespaces of their own, and waiting. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApiClient, ApiError, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ResourceCatalog } from '../../client/transport/resources.js';
import { KUBECONFIG_VARIABLE, SKIP_VARIABLE } from '../cluster/test-cluster.js';

/** `describe`, or `describe.skip` when the run has no cluster (the global setup said why). */
export const describeCluster = process.env[SKIP_VARIABLE] ? describe.skip : describe;

export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(process.env[KUBECONFIG_VARIABLE]!);
  return kc;
}

/** Creates a namespace with a unique name starting with `prefix`, and returns that name. */
export async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await testKubeConfig()
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

/** Polls `probe` until it returns a value, failing with `what` and the last value seen after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined) {
      return result;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    }
    await sleep(200);
  }
}

/** The error a client-node call rejected with, for asserting the server's status code and message. */
export async function apiError(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ApiError) {
      return { code: error.code, message: error.message };
    }
    const { code, body } = error as { code?: number; body?: unknown };
    const parsed =
      typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string });
    return { code: code ?? 0, message: parsed?.message ?? String(error) };
  }
  throw new Error('expected the API server to reject the request, but it accepted it');
}

/** Server-side applies `objects` in order, as the tests' own field manager; returns what the server kept. */
export async function serverSideApply(objects: readonly Manifest[]): Promise<Manifest[]> {
  const api = ApiClient.fromKubeConfig(testKubeConfig());
  const catalog = new ResourceCatalog(api);
  const applied: Manifest[] = [];
  for (const object of objects) {
    applied.push(
      await api.request<Manifest>({
        method: 'PATCH',
        path: await catalog.pathOf(object),
        query: { fieldManager: 'cdk8s-devops-test', force: true },
        contentType: CONTENT_TYPES.apply,
        body: object,
      }),
    );
  }
  return applied;
}

/**
 * Writes a kubeconfig for the cluster under test in which `user` (a kubeconfig user entry: a token, an
 * exec plugin) acts in `namespace`; returns nothing but the file.
 */
export async function writeKubeconfig(
  file: string,
  user: Record<string, unknown>,
  namespace: string,
): Promise<void> {
  const cluster = testKubeConfig().getCurrentCluster()!;
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'test', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } },
      ],
      users: [{ name: 'test', user }],
      contexts: [{ name: 'test', context: { cluster: 'test', user: 'test', namespace } }],
      'current-context': 'test',
    }),
  );
}

/** A namespaced CRD of `kind` in `group` (plural: the kind in lower case with an s), one version v1. */
export function namespacedCrd(group: string, kind: string, spec: Record<string, unknown>): Manifest {
  const singular = kind.toLowerCase();
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${singular}s.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: `${singular}s`, singular, kind },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', properties: { spec } } },
        },
      ],
    },
  };
}
