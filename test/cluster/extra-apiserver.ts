/**
 * A second kube-apiserver on a running test control plane's etcd, with flags of its own: the same
 * cluster behind a server that, say, answers 429 as soon as two requests are in flight (tests of
 * throttling that the first server, shared by every test, must not suffer).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binaryPath } from './components.js';
import type { ControlPlaneState } from './control-plane.js';
import { apiServerArgs, httpsGet } from './api-server.js';
import { freePorts } from './ports.js';
import { terminate } from './processes.js';
import { HARNESS_WAIT_MS } from './watch-until.js';

export interface ExtraApiServer {
  /** Its URL; the first server's CA and tokens work for it. */
  readonly server: string;
  /** Stops it, by its pid. */
  stop(): Promise<void>;
}

/**
 * Starts a kube-apiserver with the control plane's flags, on a port of its own, then `flags` (later
 * flags win); `kubeconfig` is the control plane's, beside its state. Resolves once it is ready.
 */
export async function startExtraApiServer(
  kubeconfig: string,
  flags: readonly string[],
): Promise<ExtraApiServer> {
  const dataDir = dirname(kubeconfig);
  const stateFile = join(dataDir, 'state.json');
  if (!existsSync(stateFile)) {
    throw new Error(`${kubeconfig} is not a control plane started by the harness: no ${stateFile}`);
  }
  const state = JSON.parse(await readFile(stateFile, 'utf8')) as ControlPlaneState;
  const [port] = await freePorts(1);
  const log = openSync(join(dataDir, `kube-apiserver-${port}.log`), 'a');
  const child = spawn(binaryPath('kube-apiserver'), [...apiServerArgs(dataDir, state.etcd, port), ...flags], {
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  const server = `https://127.0.0.1:${port}`;
  const stop = () => terminate(child.pid!);
  try {
    await waitForReady(server, dataDir, () => child.exitCode);
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, stop };
}

async function waitForReady(server: string, dataDir: string, exitCode: () => number | null): Promise<void> {
  const ca = await readFile(join(dataDir, 'pki', 'apiserver.crt'), 'utf8');
  const token = (await readFile(join(dataDir, 'tokens.csv'), 'utf8')).split(',')[0];
  const deadline = Date.now() + HARNESS_WAIT_MS;
  while (Date.now() < deadline) {
    if (exitCode() !== null) {
      throw new Error(`the second kube-apiserver exited with code ${exitCode()}: see its log in ${dataDir}`);
    }
    if ((await httpsGet(`${server}/readyz`, ca, token).catch(() => 0)) === 200) {
      return;
    }
    await sleep(250);
  }
  throw new Error(`the second kube-apiserver at ${server} was not ready within ${HARNESS_WAIT_MS / 1000}s`);
}
