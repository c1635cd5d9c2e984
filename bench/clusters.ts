/**
 * `deploy` of two environments, each on its own control plane: one `deploy --env` after the other,
 * against one `deploy --env staging --env prod` that runs both at once. The app (a Namespace, three
 * ConfigMaps, a Service and a Deployment of two replicas) is ready as soon as kwok runs its pods, so
 * the measure is the client's work (connect, change set, apply, record, wait), not an analysis. Each run
 * deploys into fresh namespaces (a first deploy), without the synth (`--no-synth`), which is one step in
 * both (and would run twice one after the other).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Yaml } from 'cdk8s';
import type { Manifest } from '../client/transport/resources.js';
import type { Sample, Section } from './measure.js';
import { measureOnce, row } from './measure.js';

const ENVIRONMENTS = ['staging', 'prod'] as const;

export interface ClustersBenchOptions {
  readonly runs: number;
  /** The kubeconfig of each environment's control plane. */
  readonly kubeconfigs: Readonly<Record<(typeof ENVIRONMENTS)[number], string>>;
  /** The project root (for the CLI). */
  readonly cwd: string;
  /** Scratch folder. */
  readonly dir: string;
}

/** The small app of one environment, in `namespace`. */
export function smallApp(namespace: string): Manifest[] {
  const labels = { app: 'web' };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    ...[1, 2, 3].map((n) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `settings-${n}`, namespace },
      data: { n: String(n) },
    })),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace },
      spec: { selector: labels, ports: [{ port: 80 }] },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'web:1' }] } },
      },
    },
  ];
}

/** A project whose environments deploy to fresh namespaces `<prefix>-<env>`, each on its own cluster. */
async function project(dir: string, prefix: string, kubeconfigs: ClustersBenchOptions['kubeconfigs']) {
  const environments = Object.fromEntries(
    ENVIRONMENTS.map((env) => [env, { namespace: `${prefix}-${env}`, kubeconfig: kubeconfigs[env] }]),
  );
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'bench', 'cdk8s-devops': { environments } }),
  );
  for (const env of ENVIRONMENTS) {
    await mkdir(join(dir, 'dist', env), { recursive: true });
    await writeFile(join(dir, 'dist', env, 'app.k8s.yaml'), Yaml.stringify(...smallApp(`${prefix}-${env}`)));
  }
}

export async function benchClusters(options: ClustersBenchOptions): Promise<Section> {
  const deploy = (...envs: string[]) =>
    `node ${join(options.cwd, 'cli', 'cdk8s-devops.mjs')} deploy ${envs.map((e) => `--env ${e}`).join(' ')} --no-synth --yes --timeout 2m >/dev/null`;
  const modes = {
    'one after the other': ENVIRONMENTS.map((env) => deploy(env)).join(' && '),
    'at once': deploy(...ENVIRONMENTS),
  };
  const samples = new Map<string, Sample[]>();
  // Run -1 warms the CLI's bundle and each cluster's first requests; not counted.
  for (let i = -1; i < options.runs; i++) {
    for (const [m, [mode, command]] of Object.entries(modes).entries()) {
      const dir = join(options.dir, `clusters-${i + 1}-${m}`);
      await mkdir(dir, { recursive: true });
      await project(dir, `bc${i + 1}${m}`, options.kubeconfigs);
      const sample = await measureOnce(command, dir);
      if (i >= 0) {
        samples.set(mode, [...(samples.get(mode) ?? []), sample]);
      }
    }
  }
  return {
    id: 'deploy-two-clusters',
    title: 'deploy of two environments on two control planes (6 objects each, first deploy)',
    runs: options.runs,
    rows: Object.keys(modes).map((mode) => row(`\`deploy\`, ${mode}`, samples.get(mode)!)),
    notes: [
      'One after the other: `deploy --env staging && deploy --env prod`; at once: `deploy --env staging --env prod`. Peak RSS of one after the other is the larger of its two processes.',
    ],
  };
}
