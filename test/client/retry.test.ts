import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, ApiError, ConnectionError, isRetryable } from '../../client/transport/api-client.js';
import { localApiServer } from './local-server.js';

describe('which failures are retried', () => {
  test('an unreachable server, throttling, server errors and a lost etcd leader are transient', () => {
    expect(isRetryable(new ConnectionError('https://k8s', new Error('connect ECONNREFUSED')))).toBe(true);
    for (const code of [429, 503, 504]) {
      expect(isRetryable(new ApiError(code, 'ServiceUnavailable', 'try later'))).toBe(true);
    }
    expect(isRetryable(new ApiError(409, 'Conflict', 'etcdserver: leader changed'))).toBe(true);
  });

  test('what the server decided (invalid, forbidden, not found, conflicts) is not retried', () => {
    for (const [code, reason] of [
      [422, 'Invalid'],
      [403, 'Forbidden'],
      [404, 'NotFound'],
      [409, 'Conflict'],
      // Server-side apply's answer to `replicas: "two"`: a verdict, not an outage.
      [500, 'InternalError'],
    ] as const) {
      expect(isRetryable(new ApiError(code, reason, 'no'))).toBe(false);
    }
    expect(isRetryable(new Error('anything else'))).toBe(false);
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(isRetryable(new ConnectionError('https://k8s', tls))).toBe(false);
  });
});

describe('API Priority and Fairness', () => {
  test('a 429 with Retry-After holds back every request of the client until then, not only the refused one', async () => {
    const arrivals: { at: number; path: string }[] = [];
    let refusedAt = 0;
    const server = await localApiServer((req, res) => {
      arrivals.push({ at: Date.now(), path: req.url ?? '' });
      if (req.url === '/first' && refusedAt === 0) {
        refusedAt = Date.now();
        res.writeHead(429, { 'Retry-After': '1', 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            reason: 'TooManyRequests',
            message: 'too many requests',
            code: 429,
          }),
        );
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    try {
      const api = ApiClient.fromKubeConfig(server.kubeConfig, { retry: { baseDelayMs: 10 } });
      const first = api.request({ path: '/first' });
      while (refusedAt === 0) {
        await sleep(5);
      }
      // Once the client has read the 429, requests sent during the second's rest wait it out with the
      // refused one (without the shared pause they would arrive about 300 ms after it).
      await sleep(300);
      await Promise.all([
        first,
        ...Array.from({ length: 10 }, (_, i) => api.request({ path: `/other-${i}` })),
      ]);
      const later = arrivals.filter((a) => a.at > refusedAt);
      expect(later).toHaveLength(11);
      expect(Math.min(...later.map((a) => a.at)) - refusedAt).toBeGreaterThanOrEqual(990);
    } finally {
      server.close();
    }
  });
});
