/** What the client's integration tests share: the CLI run in-process, and manifests written to files. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Manifest } from '../../client/resources.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import type { CliRun } from '../client/run-cli.js';
import { runCollected } from '../client/run-cli.js';

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
  await writeFile(file, manifests.map((m) => YAML.stringify(m)).join('---\n'));
  return file;
}

export function configMap(namespace: string, name: string, data: Record<string, string>): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
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
