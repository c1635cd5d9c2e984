import { ApiClient, parseWarningHeader } from '../../client/transport/api-client.js';
import { localApiServer } from './local-server.js';

describe("the API server's Warning header", () => {
  test('gives the text of each 299 warning, unquoted, as client-go reads it', () => {
    expect(parseWarningHeader('299 - "unknown field \\"spec\\""')).toEqual(['unknown field "spec"']);
    // Several warnings in one header, one with a date, and a code other than 299, which is not the API's.
    expect(
      parseWarningHeader(
        '299 - "policy/v1beta1 PodSecurityPolicy is deprecated", 199 proxy "stale", 299 - "second, with a comma" "Sat, 01 Jan 2000 00:00:00 GMT"',
      ),
    ).toEqual(['policy/v1beta1 PodSecurityPolicy is deprecated', 'second, with a comma']);
  });

  test('skips what is not a warning', () => {
    expect(parseWarningHeader('')).toEqual([]);
    expect(parseWarningHeader('just text')).toEqual([]);
    expect(parseWarningHeader('299 - ""')).toEqual([]);
  });
});

describe('warnings of a client', () => {
  test('each distinct text is told once, in the order it first came, from answers and failures alike', async () => {
    const server = await localApiServer((req, res) => {
      res.setHeader('Warning', ['299 - "first"', req.url === '/second' ? '299 - "second"' : '299 - "first"']);
      if (req.url === '/missing') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'gone', code: 404 }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
    try {
      const told: string[] = [];
      const api = ApiClient.fromKubeConfig(server.kubeConfig, { onWarning: (text) => told.push(text) });
      await api.request({ path: '/first' });
      await api.request({ path: '/missing' }).catch(() => undefined);
      await api.request({ path: '/second' });
      await api.request({ path: '/first' });
      expect(told).toEqual(['first', 'second']);
      expect(api.warnings).toEqual(['first', 'second']);
    } finally {
      server.close();
    }
  });
});
