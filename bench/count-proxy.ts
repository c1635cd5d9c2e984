/**
 * A plain-HTTP proxy on loopback that forwards each request to the API server and counts it, so that a
 * bench can tell how many requests one command made: the API server's own `apiserver_request_total`
 * cannot tell one client from the controllers beside it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { request } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';

export interface CountingProxy {
  /** A kubeconfig whose server is the proxy (same user). */
  readonly kubeconfig: string;
  /** `METHOD path?query` of every request so far, in order. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

/** Starts a proxy in front of the server of `kubeconfig`, writing its own kubeconfig to `file`. */
export async function startCountingProxy(kubeconfig: string, file: string): Promise<CountingProxy> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const target = new URL(kc.getCurrentCluster()!.server);
  const ca = kc.getCurrentCluster()!.caData;
  const requests: string[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push(`${incoming.method} ${incoming.url}`);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
        ca: ca ? Buffer.from(ca, 'base64') : undefined,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    outgoing.on('close', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const text = await readFile(kubeconfig, 'utf8');
  // The client takes plain HTTP only with verification off; the proxy verifies the server itself.
  // YAML or JSON.
  const proxied = text
    .replace(/("?server"?:\s*"?)https:\/\/[^\s"]+/, `$1http://127.0.0.1:${port}`)
    .replace(/("?)certificate-authority-data("?:\s*)"?[^\s",}]+"?/, '$1insecure-skip-tls-verify$2true');
  await writeFile(file, proxied, { mode: 0o600 });
  return {
    kubeconfig: file,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
