/**
 * Throttling (issue 10, case 6): a 429 with Retry-After is retried no sooner than the server asked, and
 * one request waits at most the 20 s docs/client.md promises, the hold-back after another request's 429
 * included. A small HTTP proxy in front of
 * the real API server plays the throttling server: it answers 429 for the requests it is told to, and
 * passes every other one on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient, ApiError } from '../../client/transport/api-client.js';
import { loadKubeConfig } from '../../client/transport/kubeconfig.js';
import { cli, configMap, writeManifests } from './client-cli.js';
import { createNamespace, describeCluster, testKubeConfig } from './cluster.js';

interface Throttling {
  /**
   * The Retry-After, in seconds, of the 429 the proxy answers this request with (numbered from 0 in the
   * order of arrival), or undefined to pass it on to the API server.
   */
  readonly throttle: (index: number, path: string) => number | undefined;
  /**
   * How long the proxy holds a 429 before answering it, in ms.
   *
   * @default - answered at once
   */
  readonly holdMs?: (index: number, path: string) => number;
}

/** The proxy, the time each request reached it, and a kubeconfig that sends the test's user through it. */
async function throttlingProxy(throttling: Throttling) {
  const upstream = testKubeConfig().getCurrentCluster()!;
  const ca = Buffer.from(upstream.caData!, 'base64');
  const arrivals: { at: number; path: string; throttled: boolean }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = arrivals.length;
    const retryAfter = throttling.throttle(index, req.url ?? '');
    const throttled = retryAfter !== undefined;
    arrivals.push({ at: Date.now(), path: req.url ?? '', throttled });
    if (throttled) {
      req.resume();
      // What the API server's priority and fairness answers when a request is rejected.
      setTimeout(
        () => {
          res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': String(retryAfter) });
          res.end(
            JSON.stringify({
              kind: 'Status',
              apiVersion: 'v1',
              status: 'Failure',
              message: 'Too many requests, please try again later.',
              reason: 'TooManyRequests',
              code: 429,
            }),
          );
        },
        throttling.holdMs?.(index, req.url ?? '') ?? 0,
      );
      return;
    }
    const forward = request(
      new URL(req.url ?? '/', upstream.server),
      { method: req.method, headers: { ...req.headers, host: new URL(upstream.server).host }, ca },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => res.destroy(error));
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'throttled-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await writeFile(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: 'proxy',
          // Plain HTTP on loopback; client-node allows it only when told that TLS is not verified.
          cluster: {
            server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
            'insecure-skip-tls-verify': true,
          },
        },
      ],
      users: [{ name: 'test', user: { token: testKubeConfig().getCurrentUser()!.token } }],
      contexts: [{ name: 'proxy', context: { cluster: 'proxy', user: 'test' } }],
      'current-context': 'proxy',
    }),
  );
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { arrivals, kubeconfig, close };
}

/** The time between each request and the one before it, in ms. */
const gaps = (arrivals: readonly { at: number }[]) => arrivals.slice(1).map((a, i) => a.at - arrivals[i].at);

describeCluster('a throttling server (429 with Retry-After)', () => {
  test('each retry waits the Retry-After, longer than the backoff, and the request then succeeds', async () => {
    const ns = await createNamespace('client-retry');
    const proxy = await throttlingProxy({ throttle: (i) => (i < 2 ? 2 : undefined) });
    try {
      const api = ApiClient.fromKubeConfig(loadKubeConfig({ kubeconfig: proxy.kubeconfig, env: {} }));
      const answer = await api.request<{ metadata: { name: string } }>({ path: `/api/v1/namespaces/${ns}` });
      expect(answer.metadata.name).toBe(ns);
      expect(proxy.arrivals.map((a) => a.throttled)).toEqual([true, true, false]);
      // The backoff alone would have retried after 250 and 500 ms.
      for (const gap of gaps(proxy.arrivals)) {
        expect(gap).toBeGreaterThanOrEqual(2000);
      }
    } finally {
      await proxy.close();
    }
  });

  test('an apply through a throttling server applies everything and exits 0', async () => {
    const ns = await createNamespace('client-retry');
    const file = await writeManifests([configMap(ns, 'a', { x: '1' }), configMap(ns, 'b', { x: '2' })]);
    // Every third request is throttled, all through the command.
    const proxy = await throttlingProxy({ throttle: (i) => (i % 3 === 1 ? 1 : undefined) });
    try {
      const run = await cli([
        'apply',
        file,
        '-n',
        ns,
        '--applyset',
        'retry',
        '--yes',
        '--kubeconfig',
        proxy.kubeconfig,
      ]);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('applied 2 objects, pruned 0; recorded revision 1');
      expect(proxy.arrivals.filter((a) => a.throttled).length).toBeGreaterThan(3);
    } finally {
      await proxy.close();
    }
  });

  test('the retries of one request wait at most 20 s in all, and a Retry-After beyond that is not waited for', async () => {
    const always = await throttlingProxy({ throttle: () => 1 });
    try {
      const api = ApiClient.fromKubeConfig(loadKubeConfig({ kubeconfig: always.kubeconfig, env: {} }));
      const error = await api.request({ path: '/api/v1/namespaces/default' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(429);
      expect((error as ApiError).message).toBe('Too many requests, please try again later.');
      // Waits of 1, 1, 1 s (Retry-After over the backoff's 250, 500, 1000 ms), then the backoff's 2, 4, 4,
      // 4 s: 17 s; the eighth retry's 4 s would pass 20 s, so the request fails with the server's answer.
      const waited = gaps(always.arrivals);
      expect(waited).toHaveLength(7);
      [1000, 1000, 1000, 2000, 4000, 4000, 4000].forEach((least, i) =>
        expect(waited[i]).toBeGreaterThanOrEqual(least),
      );
    } finally {
      await always.close();
    }
    const tooLong = await throttlingProxy({ throttle: () => 30 });
    try {
      const api = ApiClient.fromKubeConfig(loadKubeConfig({ kubeconfig: tooLong.kubeconfig, env: {} }));
      const error = await api.request({ path: '/api/v1/namespaces/default' }).catch((e: unknown) => e);
      expect((error as ApiError).code).toBe(429);
      expect((error as ApiError).retryAfterSeconds).toBe(30);
      expect(tooLong.arrivals).toHaveLength(1);
    } finally {
      await tooLong.close();
    }
  });
  test("a request held back by another's Retry-After fails with its own 429 when the pause would take it past 20 s", async () => {
    const seen = new Map<string, number>();
    const first = (path: string) => {
      const key = path.replace(/\?.*$/, '');
      seen.set(key, (seen.get(key) ?? 0) + 1);
      return seen.get(key) === 1;
    };
    const proxy = await throttlingProxy({
      // `default` is refused for 5 s. `kube-system`, sent beside it, is refused after 3 s for 19 s more:
      // every request of the client then holds back until 22 s, 17 s past the 5 s `default` has waited.
      throttle: (_, path) => (first(path) ? (path.includes('/default') ? 5 : 19) : undefined),
      holdMs: (_, path) => (path.includes('/kube-system') ? 3000 : 0),
    });
    try {
      const api = ApiClient.fromKubeConfig(loadKubeConfig({ kubeconfig: proxy.kubeconfig, env: {} }));
      let heldFailedAt = 0;
      const held = api.request({ path: '/api/v1/namespaces/default' }).then(
        () => 'answered',
        (error: unknown) => {
          heldFailedAt = Date.now();
          return error;
        },
      );
      const holder = api.request<{ metadata: { name: string } }>({ path: '/api/v1/namespaces/kube-system' });
      const error = await held;
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(429);
      expect((error as ApiError).retryAfterSeconds).toBe(5);
      expect((await holder).metadata.name).toBe('kube-system');
      // `default` was never sent again, and gave up before the hold-back ended (it would have been sent
      // again then, and answered, had the pause not counted).
      expect(proxy.arrivals.filter((a) => a.path.includes('/default'))).toHaveLength(1);
      const released = proxy.arrivals.filter((a) => a.path.includes('/kube-system'))[1];
      expect(heldFailedAt).toBeLessThan(released.at);
    } finally {
      await proxy.close();
    }
  });
});
