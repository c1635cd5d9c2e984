/**
 * Fleet watch: `cdk8s-devops watch` and `status` over the whole fleet (N = 100, then N = 500, about 25
 * objects a service) in its team namespaces. Beside the fleet, the bench applies one Pod per sample that
 * no scheduler takes and no kubelet runs, spread over the namespaces, so that only the bench makes it
 * ready: once `watch` says it watches everything, the bench writes each Pod's Ready condition in turn and
 * times the write to `watch`'s line about it. Also: the watch's peak RSS, and the API requests each
 * command made, counted by a proxy in front of the API server (equal for both sizes when they grow with
 * kinds and not with namespaces or objects).
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { Yaml } from 'cdk8s';
import { ApiClient } from '../client/transport/api-client.js';
import { copyOf, fleetObjects } from './apply.js';
import { startCountingProxy } from './count-proxy.js';
import { TEAM_SIZE, teamNamespace } from './fleet.js';
import type { Section } from './measure.js';
import { measureOnce, stats } from './measure.js';
import { markPodReady } from './readiness.js';

export interface FleetWatchOptions {
  /** Fleet sizes, in services. */
  readonly sizes: readonly number[];
  /** Objects made ready, one at a time, per size. */
  readonly samples: number;
  readonly kubeconfig: string;
  readonly cwd: string;
  readonly dir: string;
}

export interface FleetWatchResult {
  readonly services: number;
  readonly objects: number;
  /** From each status write to `watch`'s line, in seconds. */
  readonly latencies: readonly number[];
  /** From the start of `watch` to its line saying it watches everything. */
  readonly watchingSeconds: number;
  readonly watchRssMiB: number;
  readonly statusSeconds: number;
  readonly statusRssMiB: number;
  /** API requests each command made. */
  readonly requests: { readonly watch: number; readonly status: number };
  /** The requests themselves, as they would be at any size (see `shapeOf`), to name what differs. */
  readonly requestShapes: { readonly watch: readonly string[]; readonly status: readonly string[] };
}

/** A request as it would be at any fleet size: the copy's prefix, team numbers and versions left out. */
function shapeOf(request: string, prefix: string): string {
  return request
    .replaceAll(prefix, '<prefix>')
    .replace(/-team-\d+/g, '-team-<n>')
    .replace(/resourceVersion=\d+/g, 'resourceVersion=<rv>');
}

/** What `a` holds more often than `b`. */
function without(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  b.forEach((r) => left.set(r, (left.get(r) ?? 0) + 1));
  return a.filter((r) => {
    const n = left.get(r) ?? 0;
    left.set(r, n - 1);
    return n <= 0;
  });
}

/** A Pod that only the bench makes ready: no scheduler takes it; restricted, as the namespaces demand. */
function unscheduledPod(name: string, namespace: string) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: {
      schedulerName: 'bench-nobody',
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        {
          name: 'app',
          image: 'app:1',
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
    },
  };
}

interface Watcher {
  /** Resolves with the time of the first stdout line that matches. */
  readonly line: (pattern: RegExp) => Promise<number>;
  /** Interrupts it; resolves with its peak RSS in MiB. */
  readonly stop: () => Promise<number>;
}

function startWatcher(args: readonly string[], cwd: string): Watcher {
  const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %M', 'node', 'cli/cdk8s-devops.mjs', ...args], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const waiting: { pattern: RegExp; found: (at: number) => void }[] = [];
  let stderr = '';
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const now = performance.now();
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      waiting.filter((w) => w.pattern.test(line)).forEach((w) => w.found(now));
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) =>
    child.on('exit', () => {
      const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
      if (line) {
        resolve(Number(line.split(' ')[2]) / 1024);
      } else {
        reject(new Error(`cdk8s-devops ${args.join(' ')} ended without its figures:\n${stderr}`));
      }
    }),
  );
  return {
    line: (pattern) =>
      Promise.race([
        new Promise<number>((found) => waiting.push({ pattern, found })),
        exited.then(() => Promise.reject(new Error(`watch ended before ${pattern}:\n${stderr}`))),
      ]),
    stop: () => {
      // GNU time ignores the interrupt; the CLI it runs gets it.
      process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

async function benchSize(
  services: number,
  options: FleetWatchOptions,
  api: ApiClient,
): Promise<FleetWatchResult> {
  const prefix = `w${services}`;
  const teams = Math.ceil(services / TEAM_SIZE);
  const pods = Array.from({ length: options.samples }, (_, i) =>
    unscheduledPod(`ready-${i}`, teamNamespace(prefix, i % teams)),
  );
  const file = join(options.dir, `${prefix}.yaml`);
  const fleet = fleetObjects(services);
  await writeFile(file, `${copyOf(fleet, prefix)}---\n${Yaml.stringify(...pods)}`);
  const release = ['--applyset', prefix, '-n', `${prefix}-deploy`];
  await measureOnce(
    `node cli/cdk8s-devops.mjs apply ${file} --yes ${release.join(' ')} --kubeconfig ${options.kubeconfig} >/dev/null`,
    options.cwd,
  );
  const proxy = await startCountingProxy(options.kubeconfig, join(options.dir, `${prefix}.kubeconfig`));
  try {
    const started = performance.now();
    const watch = startWatcher(
      ['watch', file, ...release, '--kubeconfig', proxy.kubeconfig, '--timeout', '60m'],
      options.cwd,
    );
    const watching = (await watch.line(/ watching \d+ objects$/)) - started;
    const latencies: number[] = [];
    for (const pod of pods) {
      await sleep(50 + Math.random() * 200);
      const reported = watch.line(new RegExp(` Pod/${pod.metadata.namespace}/${pod.metadata.name} ready$`));
      const written = performance.now();
      await markPodReady(api, pod.metadata.namespace, pod.metadata.name);
      latencies.push(((await reported) - written) / 1000);
    }
    const watchRequests = proxy.requests.length;
    const watchRssMiB = await watch.stop();
    const before = proxy.requests.length;
    const status = await measureOnce(
      `node cli/cdk8s-devops.mjs status ${file} ${release.join(' ')} --kubeconfig ${proxy.kubeconfig} >/dev/null; test $? -le 2`,
      options.cwd,
    );
    return {
      services,
      objects: fleet.length + pods.length,
      latencies,
      watchingSeconds: watching / 1000,
      watchRssMiB,
      statusSeconds: status.seconds,
      statusRssMiB: status.maxRssMiB,
      requests: { watch: watchRequests, status: proxy.requests.length - before },
      requestShapes: {
        watch: proxy.requests.slice(0, watchRequests).map((r) => shapeOf(r, prefix)),
        status: proxy.requests.slice(before).map((r) => shapeOf(r, prefix)),
      },
    };
  } finally {
    await proxy.close();
  }
}

/** Each size in turn, in the cluster of `kubeconfig`. */
export async function benchFleetWatch(options: FleetWatchOptions): Promise<FleetWatchResult[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const api = ApiClient.fromKubeConfig(kc);
  const results: FleetWatchResult[] = [];
  for (const services of options.sizes) {
    results.push(await benchSize(services, options, api));
  }
  return results;
}

export function fleetWatchSections(results: readonly FleetWatchResult[]): Section[] {
  return results.map((r) => ({
    id: `fleet-watch-${r.services}`,
    title: `Fleet watch (N = ${r.services}, ${r.objects} objects): status write to \`watch\`'s report, and \`status\``,
    runs: r.latencies.length,
    rows: [
      {
        name: 'readiness: status write to `watch` report',
        seconds: stats(r.latencies),
        maxRssMiB: stats([r.watchRssMiB]),
      },
      { name: '`status`, once', seconds: stats([r.statusSeconds]), maxRssMiB: stats([r.statusRssMiB]) },
    ],
    counts: { 'watch requests': r.requests.watch, 'status requests': r.requests.status },
    notes: [
      `\`watch\` said it watched all ${r.objects} objects ${r.watchingSeconds.toFixed(1)} s after it started; ` +
        `API requests: \`watch\` ${r.requests.watch}, \`status\` ${r.requests.status}.`,
      ...requestDifferences(r, results[0]),
    ],
  }));
}

/** The requests by which a size's commands differ from the first size's: none when they grow with kinds alone. */
function requestDifferences(result: FleetWatchResult, first: FleetWatchResult): string[] {
  return (['watch', 'status'] as const).flatMap((command) => {
    const own = result.requestShapes[command];
    const base = first.requestShapes[command];
    const more = without(own, base);
    const fewer = without(base, own);
    return more.length + fewer.length === 0
      ? []
      : [
          `\`${command}\` at N = ${result.services} against N = ${first.services}: ` +
            [...more.map((r) => `+ ${r}`), ...fewer.map((r) => `- ${r}`)].join('; '),
        ];
  });
}
