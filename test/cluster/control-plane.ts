/**
 * A real Kubernetes control plane on loopback, the way controller-runtime's envtest runs one: etcd,
 * kube-apiserver, kube-controller-manager and kube-scheduler as local processes, plus kwok so that pods
 * on its simulated nodes become Running and Ready.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiServerArgs, httpsGet, writeCredentials, writeKubeconfig } from './api-server.js';
import { ensureComponents, kwokStagesPath } from './components.js';
import type { BuildLog } from './go-build.js';
import { installCrds } from './crds.js';
import { ensureFlux, startFlux } from './flux.js';
import { createNodes } from './nodes.js';
import { freePorts } from './ports.js';
import { killGroup, startWatchdog, terminate } from './processes.js';
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
   * Whether to start the engines that give the delivery and monitoring objects meaning: Tekton, Argo
   * Rollouts, Prometheus with its Operator and Alertmanager, the git server and Flux. Without them the
   * cluster still serves their kinds (the CRDs are installed) and runs pods on its kwok nodes. `npm run
   * bench` leaves them out: it measures our client against the API server, and a Prometheus evaluating a
   * fleet's thousands of alert rules takes a whole core from what it measures.
   *
   * @default true
   */
  readonly engines?: boolean;
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
    await this.startApiServer(binaries, options, log);
    if (options.apiServerOnly) {
      return;
    }
    this.startNodeControllers(binaries, log);
    log(`creating ${options.nodes ?? 3} kwok nodes and installing CRDs`);
    await Promise.all([createNodes(this.kubeconfig, options.nodes ?? 3), installCrds(this.kubeconfig)]);
    if (options.engines === false) {
      log(`control plane ready at ${this.serverUrl}, without engines`);
      return;
    }
    await startTekton({ kubeconfig: this.kubeconfig, dataDir: this.dataDir, log, launch: this.launcher });
    log(`control plane ready at ${this.serverUrl}`);
    await this.startControllers(binaries, log);
    await this.startGitOps(log);
  }

  /** etcd and kube-apiserver (with the watchdog, unless not wanted); returns once the admin kubeconfig is written. */
  private async startApiServer(
    binaries: Record<string, string>,
    options: ControlPlaneOptions,
    log: BuildLog,
  ) {
    const [etcdClientPort, etcdPeerPort, apiserverPort] = await freePorts(3);
    this.etcdUrl = `http://127.0.0.1:${etcdClientPort}`;
    this.adminToken = await writeCredentials(this.dataDir);

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
      this.watchdog = startWatchdog(this.dataDir);
    }

    log('starting kube-apiserver');
    this.serverUrl = `https://127.0.0.1:${apiserverPort}`;
    this.launch(
      'kube-apiserver',
      binaries['kube-apiserver'],
      apiServerArgs(this.dataDir, this.etcdUrl, apiserverPort),
    );
    const ca = await this.waitForReadyz(this.adminToken);
    await writeKubeconfig(this.kubeconfig, this.serverUrl, ca, this.adminToken);
  }

  /** What makes pods run: kube-controller-manager, kube-scheduler, and kwok in place of kubelets. */
  private startNodeControllers(binaries: Record<string, string>, log: BuildLog) {
    const pki = join(this.dataDir, 'pki');
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
      launch: this.launcher,
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
      launch: this.launcher,
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

  /** `launch`, for the modules that start controllers into this control plane. */
  private readonly launcher = (name: string, binary: string, args: string[], env?: Record<string, string>) =>
    this.launch(name, binary, args, env);

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
