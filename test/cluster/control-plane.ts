/**
 * A real Kubernetes control plane on loopback, the way controller-runtime's envtest runs one: etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler as local processes, plus kwok so that pods
 * on its simulated nodes become Running and Ready.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import YAML from 'yaml';
import { ensureComponents, kwokStagesPath } from './components.js';
import type { BuildLog } from './go-build.js';
import { installCrds } from './crds.js';
import { ensureFlux, startFlux } from './flux.js';
import { createNodes } from './nodes.js';
import type { MonitoringUrls } from './prometheus-operator.js';
import { startMonitoring } from './prometheus-operator.js';
import { startTekton, tektonKwokStagePath } from './tekton.js';
import { HARNESS_WAIT_MS } from './watch-until.js';

export interface ControlPlaneOptions {
  /**
   * How many kwok nodes to create, spread over zones a, b and c.
   *
   * @default 3
   */
  readonly nodes?: number;
  /**
   * Whether a watchdog stops every process when the process that started them exits, for test runs that
   * are interrupted before their teardown.
   *
   * @default true
   */
  readonly stopWithParent?: boolean;
  /**
   * Whether to start etcd and kube-apiserver alone: no nodes, CRDs or controllers, for tests of what a
   * fresh API server does.
   *
   * @default false
   */
  readonly apiServerOnly?: boolean;
  /**
   * Receives one line per step (builds, starts, readiness).
   *
   * @default - steps are not reported
   */
  readonly log?: BuildLog;
}

/** What a running control plane needs to be found and stopped again, from this process or another. */
export interface ControlPlaneState {
  readonly dataDir: string;
  readonly kubeconfig: string;
  readonly server: string;
  /** The URL of etcd, for a second API server on the same data (see extra-apiserver.ts). */
  readonly etcd: string;
  /** The URL of the test exporter, where tests set the metrics of pods (see exporter.ts). */
  readonly exporter: string;
  /**
   * The URLs of the Prometheus Operator, and of the one Prometheus and the Alertmanager it configures
   * (Prometheus scrapes the test exporter in place of the pods its monitors select).
   */
  readonly monitoring?: MonitoringUrls;
  /** The URL of the git server (see git-server.ts): its repositories are `<git>/<name>.git`. */
  readonly git: string;
  readonly pids: Record<string, number>;
  readonly watchdogPid?: number;
}

const STOP_ORDER = [
  'rollouts-controller',
  'exporter',
  'kwok',
  'kube-scheduler',
  'kube-controller-manager',
  'kube-apiserver',
  'etcd',
] as const;

export class ControlPlane {
  /** Builds the components if needed, starts them, and returns once nodes are Ready and CRDs installed. */
  public static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const log = options.log ?? (() => {});
    const binaries = await ensureComponents(log);
    await ensureFlux(log);
    const dataDir = await mkdtemp(join(tmpdir(), 'cdk8s-devops-cluster-'));
    const plane = new ControlPlane(dataDir);
    try {
      await plane.boot(binaries, options, log);
    } catch (error) {
      const logs = [...plane.processes.keys()].map((name) => `--- ${name}.log\n${plane.logTail(name)}`);
      await plane.stop();
      throw new Error(`${(error as Error).message}\n${logs.join('\n')}`, { cause: error });
    }
    return plane;
  }

  /** Stops the processes of a control plane started by another process (`npm run cluster:down`). */
  public static async stopFromState(state: ControlPlaneState): Promise<void> {
    if (state.watchdogPid) {
      killGroup(state.watchdogPid, 'SIGKILL');
    }
    // Controllers first (whatever started them), then the control plane in order.
    const names = [
      ...Object.keys(state.pids).filter((n) => !(STOP_ORDER as readonly string[]).includes(n)),
      ...STOP_ORDER,
    ];
    for (const name of names) {
      const pid = state.pids[name];
      if (pid) {
        await terminate(pid);
      }
    }
    await rm(state.dataDir, { recursive: true, force: true });
  }

  public readonly kubeconfig: string;
  private readonly processes = new Map<string, ChildProcess>();
  /** How each component was launched, so that `restart` can launch it again the same way. */
  private readonly launches = new Map<
    string,
    { binary: string; args: string[]; env?: Record<string, string> }
  >();
  private adminToken = '';
  private watchdog?: ChildProcess;
  private serverUrl = '';
  private etcdUrl = '';
  private exporterUrl = '';
  private monitoringUrls?: MonitoringUrls;
  private gitUrl = '';

  private constructor(public readonly dataDir: string) {
    this.kubeconfig = join(dataDir, 'kubeconfig');
  }

  public get server(): string {
    return this.serverUrl;
  }

  public get state(): ControlPlaneState {
    return {
      dataDir: this.dataDir,
      kubeconfig: this.kubeconfig,
      server: this.serverUrl,
      etcd: this.etcdUrl,
      exporter: this.exporterUrl,
      monitoring: this.monitoringUrls,
      git: this.gitUrl,
      pids: Object.fromEntries([...this.processes].map(([name, child]) => [name, child.pid!])),
      watchdogPid: this.watchdog?.pid,
    };
  }

  /** Stops every process this control plane started, by pid, and removes its data. */
  public async stop(): Promise<void> {
    this.watchdog?.kill('SIGKILL');
    await ControlPlane.stopFromState(this.state);
    this.processes.clear();
  }

  /**
   * Stops one component and starts it again with the same arguments (same port, same data), for tests of
   * what clients do while it is gone; `whileStopped` runs in between. Returns once it serves again.
   */
  public async restart(name: string, whileStopped: () => Promise<void> = async () => {}): Promise<void> {
    const launch = this.launches.get(name);
    const child = this.processes.get(name);
    if (!launch || !child?.pid) {
      throw new Error(`${name} is not running in this control plane`);
    }
    await terminate(child.pid);
    await whileStopped();
    this.launch(name, launch.binary, launch.args, launch.env);
    if (name === 'kube-apiserver') {
      await this.waitForReadyz(this.adminToken);
    }
  }

  private async boot(binaries: Record<string, string>, options: ControlPlaneOptions, log: BuildLog) {
    const [etcdClientPort, etcdPeerPort, apiserverPort] = await freePorts(3);
    this.etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    const pki = join(this.dataDir, 'pki');
    await mkdir(pki);
    const adminToken = randomBytes(24).toString('hex');
    this.adminToken = adminToken;
    await writeFile(join(this.dataDir, 'tokens.csv'), `${adminToken},admin,admin,"system:masters"\n`, {
      mode: 0o600,
    });
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(join(pki, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
      mode: 0o600,
    });
    await writeFile(join(pki, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

    log('starting etcd');
    this.launch('etcd', binaries.etcd, [
      `--data-dir=${join(this.dataDir, 'etcd')}`,
      '--name=default',
      `--listen-client-urls=${this.etcdUrl}`,
      `--advertise-client-urls=${this.etcdUrl}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    if (options.stopWithParent ?? true) {
      this.startWatchdog();
    }

    log('starting kube-apiserver');
    this.serverUrl = `https://127.0.0.1:${apiserverPort}`;
    this.launch(
      'kube-apiserver',
      binaries['kube-apiserver'],
      apiServerArgs(this.dataDir, this.etcdUrl, apiserverPort),
    );
    const ca = await this.waitForReadyz(adminToken);
    await writeFile(this.kubeconfig, kubeconfigYaml(this.serverUrl, ca, adminToken), { mode: 0o600 });
    if (options.apiServerOnly) {
      return;
    }

    log('starting kube-controller-manager, kube-scheduler and kwok');
    this.launch('kube-controller-manager', binaries['kube-controller-manager'], [
      `--kubeconfig=${this.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
      `--service-account-private-key-file=${join(pki, 'sa.key')}`,
      `--root-ca-file=${join(pki, 'apiserver.crt')}`,
      '--use-service-account-credentials=false',
      '--cluster-name=cdk8s-devops-test',
    ]);
    this.launch('kube-scheduler', binaries['kube-scheduler'], [
      `--kubeconfig=${this.kubeconfig}`,
      '--leader-elect=false',
      '--secure-port=0',
    ]);
    this.launch('kwok', binaries.kwok, [
      `--kubeconfig=${this.kubeconfig}`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--manage-nodes-with-label-selector=',
      '--cidr=10.244.0.1/16',
      '--node-ip=10.244.0.1',
      `--config=${kwokStagesPath()}`,
      `--config=${tektonKwokStagePath()}`,
      '--node-lease-duration-seconds=40',
    ]);

    log(`creating ${options.nodes ?? 3} kwok nodes and installing CRDs`);
    await Promise.all([createNodes(this.kubeconfig, options.nodes ?? 3), installCrds(this.kubeconfig)]);
    await startTekton({
      kubeconfig: this.kubeconfig,
      dataDir: this.dataDir,
      log,
      launch: (name, binary, args, env) => this.launch(name, binary, args, env),
    });
    log(`control plane ready at ${this.serverUrl}`);
    await this.startControllers(binaries, log);
    await this.startGitOps(log);
  }

  /**
   * The GitOps side: a git server on loopback holding this control plane's GitOps repositories, and
   * Flux's controllers reconciling from it.
   */
  private async startGitOps(log: BuildLog) {
    const [gitPort] = await freePorts(1);
    this.gitUrl = `http://127.0.0.1:${gitPort}`;
    log('starting the git server and Flux');
    this.launch('git-server', process.execPath, [
      '--import',
      'tsx',
      fileURLToPath(new URL('git-server.ts', import.meta.url)),
      String(gitPort),
      join(this.dataDir, 'git'),
    ]);
    const health = await startFlux({
      kubeconfig: this.kubeconfig,
      dataDir: this.dataDir,
      log,
      launch: (name, binary, args, env) => this.launch(name, binary, args, env),
    });
    await Promise.all([
      this.waitForHttp('git-server', `${this.gitUrl}/healthz`),
      ...Object.entries(health).map(([name, url]) => this.waitForHttp(name, url)),
    ]);
    log(`git server at ${this.gitUrl}, Flux ready`);
  }

  /**
   * What gives the delivery objects meaning: the Argo Rollouts controller (out of cluster, as its docs
   * run it for development), the test exporter, and the monitoring the Prometheus Operator configures
   * (prometheus-operator.ts), whose Prometheus scrapes the exporter in place of the pods.
   */
  private async startControllers(binaries: Record<string, string>, log: BuildLog) {
    const [exporterPort, metricsPort, healthzPort] = await freePorts(3);
    log('starting the test exporter and the Argo Rollouts controller');
    this.exporterUrl = `http://127.0.0.1:${exporterPort}`;
    this.launch('exporter', process.execPath, [
      '--import',
      'tsx',
      fileURLToPath(new URL('exporter.ts', import.meta.url)),
      String(exporterPort),
    ]);
    // Its metrics and health servers bind 0.0.0.0 (a constant in upstream's controller package, no flag
    // for the host), so they get free ports; nothing else listens.
    this.launch('rollouts-controller', binaries['rollouts-controller'], [
      `--kubeconfig=${this.kubeconfig}`,
      '--leader-elect=false',
      `--metricsport=${metricsPort}`,
      `--healthzPort=${healthzPort}`,
      '--loglevel=info',
    ]);
    await Promise.all([
      this.waitForHttp('exporter', `${this.exporterUrl}/metrics?namespace=default&pod=probe`),
      this.waitForHttp('rollouts-controller', `http://127.0.0.1:${healthzPort}/healthz`),
    ]);
    log(`test exporter at ${this.exporterUrl}`);
    this.monitoringUrls = await startMonitoring({
      kubeconfig: this.kubeconfig,
      dataDir: this.dataDir,
      exporter: `127.0.0.1:${exporterPort}`,
      binaries,
      ports: await freePorts(3),
      log,
      launch: (name, binary, args, env) => this.launch(name, binary, args, env),
      waitForHttp: (name, url) => this.waitForHttp(name, url),
      logTail: (name) => this.logTail(name),
    });
    log(
      `Prometheus Operator at ${this.monitoringUrls.prometheusOperator}, its Prometheus at ${this.monitoringUrls.prometheus}, Alertmanager at ${this.monitoringUrls.alertmanager}`,
    );
  }

  /** Resolves once `url` answers 200; fails with the component's log when it exits or the deadline passes. */
  private async waitForHttp(name: string, url: string): Promise<void> {
    const deadline = Date.now() + HARNESS_WAIT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      const child = this.processes.get(name);
      if (child?.exitCode !== null && child?.exitCode !== undefined) {
        throw new Error(`${name} exited with code ${child.exitCode} while starting:\n${this.logTail(name)}`);
      }
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (response.ok) {
          return;
        }
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await sleep(200);
    }
    throw new Error(
      `${name} was not ready within ${HARNESS_WAIT_MS / 1000}s (${last}; the machine may be too loaded):\n${this.logTail(name)}`,
    );
  }

  private launch(name: string, binary: string, args: string[], env?: Record<string, string>): void {
    this.launches.set(name, { binary, args, env });
    const logFile = openSync(join(this.dataDir, `${name}.log`), 'a');
    const child = spawn(binary, args, {
      stdio: ['ignore', logFile, logFile],
      detached: true,
      ...(env ? { env: { ...process.env, ...env } } : {}),
    });
    closeSync(logFile);
    child.unref();
    this.processes.set(name, child);
    writeFileSync(join(this.dataDir, 'state.json'), JSON.stringify(this.state, null, 2));
  }

  /** A detached process that stops the control plane once the process that started it is gone. */
  private startWatchdog(): void {
    const script = `
      const { readFileSync, rmSync } = require('node:fs');
      const [parent, dataDir] = process.argv.slice(1);
      const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      setInterval(() => {
        if (alive(Number(parent))) return;
        try {
          const { pids } = JSON.parse(readFileSync(dataDir + '/state.json', 'utf8'));
          for (const pid of Object.values(pids)) { try { process.kill(-pid, 'SIGKILL'); } catch {} }
        } catch {}
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      }, 500);`;
    this.watchdog = spawn(process.execPath, ['-e', script, String(process.pid), this.dataDir], {
      stdio: 'ignore',
      detached: true,
    });
    this.watchdog.unref();
  }

  private logTail(name: string): string {
    const file = join(this.dataDir, `${name}.log`);
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-15).join('\n') : '(no log)';
  }

  private async waitForReadyz(token: string): Promise<string> {
    const certFile = join(this.dataDir, 'pki', 'apiserver.crt');
    const deadline = Date.now() + HARNESS_WAIT_MS;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      for (const [name, child] of this.processes) {
        if (child.exitCode !== null) {
          throw new Error(
            `${name} exited with code ${child.exitCode} while starting:\n${this.logTail(name)}`,
          );
        }
      }
      if (existsSync(certFile)) {
        const ca = await readFile(certFile, 'utf8');
        try {
          const status = await httpsGet(`${this.serverUrl}/readyz`, ca, token);
          if (status === 200) {
            return ca;
          }
          last = `HTTP ${status}`;
        } catch (error) {
          last = (error as Error).message;
        }
      }
      await sleep(250);
    }
    throw new Error(
      `kube-apiserver was not ready within ${HARNESS_WAIT_MS / 1000}s (${last}; the machine may be too loaded):\n${this.logTail('kube-apiserver')}`,
    );
  }
}

/**
 * kube-apiserver's flags for a control plane's data folder (its certificates, tokens and service account
 * keys) and etcd; a second API server on the same cluster differs only in its port (and its own flags).
 */
export function apiServerArgs(dataDir: string, etcdUrl: string, port: number): string[] {
  const pki = join(dataDir, 'pki');
  return [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${pki}`,
    `--token-auth-file=${join(dataDir, 'tokens.csv')}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(pki, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(pki, 'sa.key')}`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
  ];
}

/** Sends `signal` to the process group of `pid` (each component leads its own group). */
function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if the process is still there after 10 seconds. */
export async function terminate(pid: number): Promise<void> {
  if (!killGroup(pid, 'SIGTERM')) {
    return;
  }
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) {
    await sleep(100);
  }
  killGroup(pid, 'SIGKILL');
  while (isAlive(pid)) {
    await sleep(50);
  }
}

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

export function httpsGet(url: string, ca: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers: { Authorization: `Bearer ${token}` }, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

function kubeconfigYaml(server: string, ca: string, token: string): string {
  return YAML.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cdk8s-devops-test',
        cluster: { server, 'certificate-authority-data': Buffer.from(ca).toString('base64') },
      },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'cdk8s-devops-test', context: { cluster: 'cdk8s-devops-test', user: 'admin' } }],
    'current-context': 'cdk8s-devops-test',
  });
}
