/** What the client's integration tests share: the CLI run in-process, and manifests written to files. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toYaml } from '../util/yaml.js';
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import type { CliRun } from '../client/run-cli.js';
import { runCollected } from '../client/run-cli.js';
import { serverSideApply, testKubeConfig } from './cluster.js';

/** Runs `cdk8s-devops <args>` against the test cluster (unless args name a kubeconfig) and collects its output. */
export function cli(
  args: readonly string[],
  options: { cwd?: string; kubeconfig?: string; answer?: string } = {},
): Promise<CliRun> {
  const kubeconfig = args.includes('--kubeconfig')
    ? []
    : ['--kubeconfig', options.kubeconfig ?? process.env[KUBECONFIG_VARIABLE]!];
  return runCollected([...args, ...kubeconfig], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, KUBECONFIG: undefined },
    answer: options.answer,
  });
}

/** Writes manifests as one multi-document YAML file in a new folder, and returns the file. */
export async function writeManifests(manifests: readonly Manifest[], dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(join(tmpdir(), 'cdk8s-devops-app-')));
  const file = join(folder, 'app.k8s.yaml');
  await writeFile(file, manifests.map((m) => toYaml(m)).join('---\n'));
  return file;
}

export function configMap(namespace: string, name: string, data: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

export function namespaceObject(name: string): Manifest {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/** Whether the object at the API path `path` exists in the test cluster. */
export async function exists(path: string): Promise<boolean> {
  return ApiClient.fromKubeConfig(testKubeConfig())
    .request({ path })
    .then(
      () => true,
      (error: ApiError) => (error.code === 404 ? false : Promise.reject(error)),
    );
}

export function deployment(namespace: string, name: string, replicas = 1): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'nginx:1.27' }],
        },
      },
    },
  };
}

/** A token of the ServiceAccount `name` in `namespace` (made by the TokenRequest API), to act as it. */
export async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  const answer = await ApiClient.fromKubeConfig(testKubeConfig()).request<{ status: { token: string } }>({
    path: `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`,
    method: 'POST',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } },
  });
  return answer.status.token;
}

/** The Deployment `name` with pods that no node can take: a wait on it never ends by itself. */
export function unschedulableDeployment(namespace: string, name: string): Manifest {
  const web = deployment(namespace, name);
  const spec = web.spec as { template: { spec: Record<string, unknown> } };
  return {
    ...web,
    spec: {
      ...spec,
      template: { ...spec.template, spec: { ...spec.template.spec, nodeSelector: { zone: 'nowhere' } } },
    },
  };
}

/** A ServiceAccount `name` in `namespace`, bound to a Role of its own with `rules`; resolves to its token. */
export async function serviceAccountWithRole(
  namespace: string,
  name: string,
  rules: readonly Record<string, unknown>[],
): Promise<string> {
  await serverSideApply([
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  ] as Manifest[]);
  return serviceAccountToken(namespace, name);
}
