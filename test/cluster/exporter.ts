/**
 * A test exporter that stands in for the app's pods: kwok pods run no process, so Prometheus discovers
 * them through the Kubernetes API and scrapes this exporter in their place (the scrape configuration
 * relabels each target's address to here and passes the pod as URL parameters). It answers with the
 * HTTP metrics an instrumented app exposes, `http_requests_total{code}` and
 * `http_request_duration_seconds`, growing at the rates the tests set per pod:
 *
 *   PUT /profiles/<namespace>/<pod name prefix, empty for every pod of the namespace>  {"requestsPerSecond":10,"errorRatio":0.5,"latencySeconds":0.1}
 *   DELETE /profiles/<namespace>/<pod name prefix>
 *   GET /metrics?namespace=<namespace>&pod=<pod name>
 *
 * The longest matching prefix wins (a Rollout's pods are `<rollout>-<pod template hash>-<suffix>`); a
 * pod no profile matches serves DEFAULT_PROFILE. Counters are integrated over time, so that two
 * scrapes of one pod (it may sit behind two Services) see the same monotonic values.
 *
 * Run as `node --import tsx exporter.ts <port>`; it prints `listening <port>` once it serves.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TrafficProfile {
  readonly requestsPerSecond: number;
  /** The share of requests answered with a 500, from 0 to 1. */
  readonly errorRatio: number;
  /** How long every request takes. */
  readonly latencySeconds: number;
}

export const DEFAULT_PROFILE: TrafficProfile = { requestsPerSecond: 10, errorRatio: 0, latencySeconds: 0.05 };

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface PodCounters {
  at: number;
  ok: number;
  errors: number;
  /** Observations per bucket (not cumulative), the last one being +Inf. */
  buckets: number[];
  sum: number;
}

/** The profiles the tests set, and each pod's counters at the rates of its profile. */
class Traffic {
  private readonly profiles = new Map<string, TrafficProfile>();
  private readonly pods = new Map<string, PodCounters>();

  /** Brings one pod's counters up to now, at the rates of its current profile. */
  public advance(namespace: string, pod: string): PodCounters {
    const key = `${namespace}/${pod}`;
    const now = Date.now();
    const counters = this.pods.get(key) ?? {
      at: now,
      ok: 0,
      errors: 0,
      buckets: BUCKETS.map(() => 0).concat(0),
      sum: 0,
    };
    const profile = this.profileOf(namespace, pod);
    const requests = (profile.requestsPerSecond * (now - counters.at)) / 1000;
    counters.errors += requests * profile.errorRatio;
    counters.ok += requests * (1 - profile.errorRatio);
    const bucket = BUCKETS.findIndex((le) => profile.latencySeconds <= le);
    counters.buckets[bucket === -1 ? BUCKETS.length : bucket] += requests;
    counters.sum += requests * profile.latencySeconds;
    counters.at = now;
    this.pods.set(key, counters);
    return counters;
  }

  /** Brings the counters of the pods under `key` up to now, so that a new profile applies from now on only. */
  public catchUp(key: string): void {
    for (const podKey of this.pods.keys()) {
      if (podKey.startsWith(key)) {
        const [namespace, pod] = podKey.split('/');
        this.advance(namespace, pod);
      }
    }
  }

  public setProfile(key: string, profile: Partial<TrafficProfile> | undefined): void {
    if (profile) {
      this.profiles.set(key, { ...DEFAULT_PROFILE, ...profile });
    } else {
      this.profiles.delete(key);
    }
  }

  private profileOf(namespace: string, pod: string): TrafficProfile {
    let best: string | undefined;
    for (const key of this.profiles.keys()) {
      if (`${namespace}/${pod}`.startsWith(key) && (!best || key.length > best.length)) {
        best = key;
      }
    }
    return best ? this.profiles.get(best)! : DEFAULT_PROFILE;
  }
}

/** One pod's metrics in Prometheus's text format. */
function metricsText(counters: PodCounters): string {
  const lines = [
    '# TYPE http_requests_total counter',
    `http_requests_total{code="200"} ${counters.ok}`,
    `http_requests_total{code="500"} ${counters.errors}`,
    '# TYPE http_request_duration_seconds histogram',
  ];
  let cumulative = 0;
  [...BUCKETS.map(String), '+Inf'].forEach((le, i) => {
    cumulative += counters.buckets[i];
    lines.push(`http_request_duration_seconds_bucket{le="${le}"} ${cumulative}`);
  });
  lines.push(`http_request_duration_seconds_sum ${counters.sum}`);
  lines.push(`http_request_duration_seconds_count ${cumulative}`);
  return `${lines.join('\n')}\n`;
}

async function handle(traffic: Traffic, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://exporter');
  const send = (code: number, body: string) => {
    res.writeHead(code, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  };
  if (req.method === 'GET' && url.pathname === '/metrics') {
    const namespace = url.searchParams.get('namespace');
    const pod = url.searchParams.get('pod');
    if (!namespace || !pod) {
      return send(400, 'namespace and pod parameters are required\n');
    }
    return send(200, metricsText(traffic.advance(namespace, pod)));
  }
  const profile = /^\/profiles\/([^/]+)\/([^/]*)$/.exec(url.pathname);
  if (profile && (req.method === 'PUT' || req.method === 'DELETE')) {
    const key = `${decodeURIComponent(profile[1])}/${decodeURIComponent(profile[2])}`;
    traffic.catchUp(key);
    if (req.method === 'DELETE') {
      traffic.setProfile(key, undefined);
      return send(204, '');
    }
    let body = '';
    for await (const chunk of req) {
      body += String(chunk);
    }
    traffic.setProfile(key, JSON.parse(body) as Partial<TrafficProfile>);
    return send(204, '');
  }
  return send(404, 'not found\n');
}

export function startExporter(port = 0, host = '127.0.0.1'): Promise<{ port: number; close: () => void }> {
  const traffic = new Traffic();
  const server = createServer((req, res) => {
    handle(traffic, req, res).catch((error: Error) => {
      res.writeHead(400);
      res.end(`${error.message}\n`);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({ port: (server.address() as AddressInfo).port, close: () => server.close() }),
    );
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const { port } = await startExporter(Number(process.argv[2] ?? 0));
  console.log(`listening ${port}`);
}
