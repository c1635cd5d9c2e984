/** Free loopback ports for the components of test control planes. */
import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';

/**
 * Ports handed out by this process. A port is free again once its probe closes, but the component it is
 * for binds it only when it has started: a later call meanwhile could get it again (the git server's
 * port went to a Flux controller that started first, whose /healthz then answered for the git server).
 */
const handedOut = new Set<number>();

/** `count` loopback ports free now and never handed out before by this process. */
export async function freePorts(count: number): Promise<number[]> {
  const probes: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const probe = await listenOnAnyPort();
      probes.push(probe);
      const { port } = probe.address() as AddressInfo;
      if (!handedOut.has(port)) {
        handedOut.add(port);
        ports.push(port);
      }
    }
  } finally {
    await Promise.all(probes.map((s) => new Promise((resolve) => s.close(resolve))));
  }
  return ports;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
