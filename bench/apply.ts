/**
 * `cdk8s-devops apply` of a few hundred objects against `kubectl apply --server-side`, on a control plane
 * the bench starts itself. Each tool gets its own copy of the app (own namespaces), so that their field
 * managers and ApplySet labels never meet. Every run after the warm-up applies an unchanged app: the
 * steady state of a deploy pipeline, where kubectl sends every object and cdk8s-devops computes a change set.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { Manifest } from '../client/resources.js';
import { binaryPath } from '../test/cluster/components.js';
import { ControlPlane } from '../test/cluster/control-plane.js';
import { PROJECT_ROOT } from '../scripts/import-crds.js';
import { compare, report } from './measure.js';

const PER_NAMESPACE = 100;

/** 3 namespaces with 100 ConfigMaps, Services and Deployments in all: 303 objects. */
function app(prefix: string): Manifest[] {
  const namespaces = ['a', 'b', 'c'].map((n) => `${prefix}-${n}`);
  return [
    ...namespaces.map((name): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...namespaces.flatMap((namespace) =>
      Array.from({ length: PER_NAMESPACE }, (_, i): Manifest => {
        const name = `app-${i}`;
        switch (i % 3) {
          case 0:
            return {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name, namespace },
              data: { index: String(i) },
            };
          case 1:
            return {
              apiVersion: 'v1',
              kind: 'Service',
              metadata: { name, namespace },
              spec: { selector: { app: name }, ports: [{ port: 80 }] },
            };
          default:
            return {
              apiVersion: 'apps/v1',
              kind: 'Deployment',
              metadata: { name, namespace },
              spec: {
                replicas: 0,
                selector: { matchLabels: { app: name } },
                template: {
                  metadata: { labels: { app: name } },
                  spec: { containers: [{ name: 'app', image: 'app:1' }] },
                },
              },
            };
        }
      }),
    ),
  ];
}

async function writeApp(dir: string, prefix: string): Promise<string> {
  const file = join(dir, `${prefix}.yaml`);
  await writeFile(
    file,
    app(prefix)
      .map((m) => YAML.stringify(m))
      .join('---\n'),
  );
  return file;
}

export async function benchApply(runs: number): Promise<string> {
  const plane = await ControlPlane.start({ nodes: 1 });
  const dir = await mkdtemp(join(tmpdir(), 'bench-apply-'));
  try {
    const kubectl = `${binaryPath('kubectl')} --kubeconfig ${plane.kubeconfig}`;
    const results = await compare(
      [
        {
          name: 'baseline: `kubectl apply --server-side`',
          command: `${kubectl} apply --server-side -f ${await writeApp(dir, 'kubectl')}`,
        },
        {
          name: '`cdk8s-devops apply` (change set computed, nothing to apply)',
          command: `node cli/cdk8s-devops.mjs apply ${await writeApp(dir, 'client')} --yes --applyset bench -n default --kubeconfig ${plane.kubeconfig}`,
        },
      ],
      { runs, cwd: PROJECT_ROOT },
    );
    return report(`Apply of ${app('x').length} unchanged objects`, results, runs);
  } finally {
    await plane.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
