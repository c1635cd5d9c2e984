import { ApiError, ConnectionError, isRetryable } from '../../client/api-client.js';

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
