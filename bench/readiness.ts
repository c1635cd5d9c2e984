/**
 * Readiness latency: from the status write that makes an object ready to the moment a waiter reports
 * it, for `cdk8s-devops watch` (a watch) against a loop that polls every second (kapp's default). Both
 * wait on the same Pod at once; the Pod has no scheduler, so only the bench writes its status, after a
 * random pause so that the write falls anywhere in the poll's second.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, CONTENT_TYPES } from '../client/transport/api-client.js';
import { toYaml } from '../lib/core/yaml.js';
import type { Row } from './measure.js';
import { stats } from './measure.js';

export interface ReadinessBenchOptions {
  readonly samples: number;
  readonly kubeconfig: string;
  readonly cwd: string;
  readonly dir: string;
}

interface Waiter {
  /** Resolves with the time of the first line that matches. */
  readonly started: Promise<number>;
  readonly reported: Promise<number>;
  /** Peak RSS in MiB, once it exited. */
  readonly exited: Promise<number>;
}

function startWaiter(
  command: string,
  args: string[],
  cwd: string,
  startedMark: RegExp,
  readyMark: RegExp,
): Waiter {
  const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %M', command, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markStarted: (at: number) => void = () => {};
  let markReported: (at: number) => void = () => {};
  const started = new Promise<number>((resolve) => (markStarted = resolve));
  const reported = new Promise<number>((resolve) => (markReported = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    const now = performance.now();
    stdout += chunk.toString();
    if (startedMark.test(stdout)) {
      markStarted(now);
    }
    if (readyMark.test(stdout)) {
      markReported(now);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number>((resolve, reject) =>
    child.on('exit', (code) => {
      const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
      if (code !== 0 || !line) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${stdout}\n${stderr}`));
      } else {
        resolve(Number(line.split(' ')[2]) / 1024);
      }
    }),
  );
  return { started, reported, exited };
}

/** Writes the status that makes the Pod ready (what a kubelet would write once its containers run). */
export async function markPodReady(api: ApiClient, namespace: string, name: string): Promise<void> {
  await api.request({
    path: `/api/v1/namespaces/${namespace}/pods/${name}/status`,
    method: 'PATCH',
    contentType: CONTENT_TYPES.merge,
    body: {
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }],
      },
    },
  });
}

export async function benchReadiness(options: ReadinessBenchOptions): Promise<Row[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(options.kubeconfig);
  const api = ApiClient.fromKubeConfig(kc);
  const latencies = { watch: [] as number[], poll: [] as number[] };
  const rss = { watch: [] as number[], poll: [] as number[] };
  for (let i = 0; i < options.samples; i++) {
    const name = `bench-readiness-${Date.now()}-${i}`;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default' },
      // No scheduler takes it and no kubelet runs it: only the bench writes its status.
      spec: { schedulerName: 'bench-nobody', containers: [{ name: 'app', image: 'app:1' }] },
    };
    const file = join(options.dir, `${name}.yaml`);
    await writeFile(file, toYaml(pod));
    await api.request({ path: '/api/v1/namespaces/default/pods', method: 'POST', body: pod });
    const watch = startWaiter(
      'node',
      [
        'cli/cdk8s-devops.mjs',
        'watch',
        file,
        '--kubeconfig',
        options.kubeconfig,
        '-n',
        'default',
        '--applyset',
        'bench',
        '--timeout',
        '2m',
      ],
      options.cwd,
      /Pod\/default\//,
      /^ready: /m,
    );
    const poll = startWaiter(
      'node',
      ['cli/run-bundled.mjs', 'bench/poll-ready.ts', options.kubeconfig, file],
      options.cwd,
      /^polling/m,
      /^ready/m,
    );
    await Promise.all([watch.started, poll.started]);
    await sleep(Math.random() * 1000);
    const written = performance.now();
    await markPodReady(api, 'default', name);
    latencies.watch.push(((await watch.reported) - written) / 1000);
    latencies.poll.push(((await poll.reported) - written) / 1000);
    rss.watch.push(await watch.exited);
    rss.poll.push(await poll.exited);
    await api.request({ path: `/api/v1/namespaces/default/pods/${name}`, method: 'DELETE' });
  }
  return [
    {
      name: "polling every second (kapp's default)",
      seconds: stats(latencies.poll),
      maxRssMiB: stats(rss.poll),
    },
    { name: '`cdk8s-devops watch`', seconds: stats(latencies.watch), maxRssMiB: stats(rss.watch) },
  ];
}
