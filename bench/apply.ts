/**
 * `cdk8s-devops apply` of an app against `kubectl apply --server-side` (the kubectl built with the
 * control plane, same version): a first apply, an unchanged re-apply and a re-apply that changes 10% of
 * the objects, on loopback and through a proxy that adds a CI runner's round trip to a managed cluster.
 * Each tool applies its own copy of the app (own namespaces, fresh for each run), so that their field
 * managers and ApplySet labels never meet. apply-sizes.ts runs it at every size.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { App, Yaml } from 'cdk8s';
import { resolveApp } from '../lib/core/synth.js';
import type { Manifest } from '../client/transport/resources.js';
import { startDelayProxy } from './delay-proxy.js';
import { buildFleet } from './fleet.js';
import type { Row, Sample, Section } from './measure.js';
import { measureOnce, row } from './measure.js';

export const SCENARIOS = ['first apply', 'unchanged re-apply', '10% changed re-apply'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const TOOLS = ['kubectl', 'cdk8s-devops'] as const;
export type Tool = (typeof TOOLS)[number];

export interface ApplyBenchOptions {
  /** The app's objects, in namespaces named `fleet-team-<n>` (see `copyOf`). */
  readonly objects: readonly Manifest[];
  /** What the app is, for the tables: `the fleet (N = 100)`. */
  readonly app: string;
  /** Starts every namespace of this size's copies, so that sizes in one cluster never meet: lowercase letters. */
  readonly tag: string;
  /** @default SCENARIOS */
  readonly scenarios?: readonly Scenario[];
  readonly runs: number;
  /** The round trip the proxy adds, in ms. */
  readonly roundTripMs: number;
  readonly kubeconfig: string;
  /** The kubectl binary, of the server's version. */
  readonly kubectl: string;
  readonly cwd: string;
  /** Scratch folder for manifests and kubeconfigs. */
  readonly dir: string;
}

export interface ApplyResult {
  readonly app: string;
  /** The size's tag (ApplyBenchOptions.tag). */
  readonly tag: string;
  readonly network: string;
  readonly scenario: Scenario;
  readonly objects: number;
  readonly rows: readonly Row[];
}

/** The fleet's objects once, for every copy (a copy differs only in its namespaces). */
export function fleetObjects(services: number): Manifest[] {
  const app = new App({ outdir: '/dev/null' });
  buildFleet(app, { services, prefix: 'fleet' });
  return resolveApp(app).flatMap((f) => f.objects.map((o) => o.object as unknown as Manifest));
}

/** The copy of `objects` in namespaces of `prefix`, with one object in ten annotated by `change` when given. */
export function copyOf(objects: readonly Manifest[], prefix: string, change?: string): string {
  const copied = JSON.parse(
    JSON.stringify(objects).replaceAll('fleet-team-', `${prefix}-team-`),
  ) as Manifest[];
  const changed = copied.map((o, i) =>
    change !== undefined && i % 10 === 5
      ? {
          ...o,
          metadata: {
            ...o.metadata,
            annotations: { ...o.metadata.annotations, 'bench.cdk8s-devops.io/change': change },
          },
        }
      : o,
  );
  return Yaml.stringify(...changed);
}

async function kubeconfigThrough(original: string, port: number, file: string): Promise<string> {
  const text = await readFile(original, 'utf8');
  await writeFile(
    file,
    text.replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`),
    {
      mode: 0o600,
    },
  );
  return file;
}

export async function benchApply(options: ApplyBenchOptions): Promise<ApplyResult[]> {
  const { objects } = options;
  const scenarios = options.scenarios ?? SCENARIOS;
  const warmUpObjects = fleetObjects(2);
  const server = /server: https:\/\/127\.0\.0\.1:(\d+)/.exec(await readFile(options.kubeconfig, 'utf8'));
  if (!server) {
    throw new Error(`${options.kubeconfig}: no https://127.0.0.1 server to put the proxy in front of`);
  }
  const proxy = await startDelayProxy({ host: '127.0.0.1', port: Number(server[1]) }, options.roundTripMs);
  try {
    const networks = [
      { name: 'loopback', kubeconfig: options.kubeconfig },
      {
        name: `+${options.roundTripMs} ms round trip`,
        kubeconfig: await kubeconfigThrough(
          options.kubeconfig,
          proxy.port,
          join(options.dir, 'proxied.kubeconfig'),
        ),
      },
    ];
    const samples = new Map<string, Sample[]>();
    const add = (key: string, sample: Sample) => samples.set(key, [...(samples.get(key) ?? []), sample]);
    // A first run of each tool, on a fleet of 2, warms kubectl's discovery cache, builds the CLI's
    // bundle and the server's caches of the kinds; not counted.
    for (let run = -1; run < options.runs; run++) {
      const source = run < 0 ? warmUpObjects : objects;
      for (const [n, network] of networks.entries()) {
        for (const tool of TOOLS) {
          const prefix = `${options.tag}${run + 1}${n}${tool === 'kubectl' ? 'k' : 'c'}`;
          const plain = join(options.dir, `${prefix}.yaml`);
          const changed = join(options.dir, `${prefix}-changed.yaml`);
          await writeFile(plain, copyOf(source, prefix));
          await writeFile(changed, copyOf(source, prefix, String(run)));
          const command = (file: string) =>
            tool === 'kubectl'
              ? `${options.kubectl} apply --server-side -f ${file} --kubeconfig ${network.kubeconfig} --cache-dir ${join(options.dir, 'kube-cache')}`
              : `node cli/cdk8s-devops.mjs apply ${file} --yes --applyset ${prefix} -n ${prefix}-deploy --kubeconfig ${network.kubeconfig}`;
          const files = {
            'first apply': plain,
            'unchanged re-apply': plain,
            '10% changed re-apply': changed,
          };
          for (const scenario of scenarios) {
            const file = files[scenario];
            const sample = await measureOnce(`${command(file)} >/dev/null`, options.cwd);
            if (run >= 0) {
              add(`${network.name}|${scenario}|${tool}`, sample);
            }
          }
        }
      }
    }
    return networks.flatMap((network) =>
      scenarios.map((scenario) => ({
        app: options.app,
        tag: options.tag,
        network: network.name,
        scenario,
        objects: objects.length,
        rows: TOOLS.map((tool) =>
          row(
            tool === 'kubectl' ? '`kubectl apply --server-side`' : '`cdk8s-devops apply`',
            samples.get(`${network.name}|${scenario}|${tool}`)!,
          ),
        ),
      })),
    );
  } finally {
    await proxy.close();
  }
}

/** The id of a size's section: `apply-<tag>-<network>-<scenario>`, as targets find it. */
export function applySectionId(tag: string, network: string, scenario: Scenario): string {
  return `apply-${tag}-${network}-${scenario}`.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
}

export function applySections(results: readonly ApplyResult[], runs: number): Section[] {
  return results.map((r) => ({
    id: applySectionId(r.tag, r.network, r.scenario),
    title: `Apply of ${r.app} (${r.objects} objects), ${r.scenario}, ${r.network}`,
    runs,
    rows: r.rows,
  }));
}
