/**
 * Monitoring as users run it: the Prometheus Operator (out of cluster, as its docs run it for
 * development) turns a `Prometheus` and an `Alertmanager` object, and the ServiceMonitors, PodMonitors,
 * PrometheusRules and AlertmanagerConfigs they select, into configuration; Prometheus and Alertmanager
 * run as local processes with exactly that configuration, followed by config-reloader.ts (which lists
 * the only changes running out of cluster forces). The StatefulSets the operator creates get kwok pods,
 * which run nothing: the processes stand in for them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { BuildLog } from './go-build.js';
import type { ReloaderOptions } from './config-reloader.js';
import { VERSIONS } from './versions.js';
import { HARNESS_WAIT_MS } from './watch-until.js';

export const MONITORING_NAMESPACE = 'monitoring';
/** The name of the Prometheus object and of the Alertmanager object. */
export const MONITORING_NAME = 'test';

export interface MonitoringLaunch {
  readonly kubeconfig: string;
  readonly dataDir: string;
  /** host:port of the test exporter. */
  readonly exporter: string;
  readonly binaries: Record<string, string>;
  /** Three free ports: the operator's, Prometheus's and Alertmanager's. */
  readonly ports: readonly number[];
  readonly log: BuildLog;
  launch(name: string, binary: string, args: string[], env?: Record<string, string>): void;
  waitForHttp(name: string, url: string): Promise<void>;
  logTail(name: string): string;
}

export interface MonitoringUrls {
  readonly prometheusOperator: string;
  readonly prometheus: string;
  readonly alertmanager: string;
}

const everything = {};

/**
 * What a user of the library deploys beside it: a Prometheus selecting every ServiceMonitor, PodMonitor
 * and PrometheusRule of every namespace (the charts label none unless told), sending alerts to the
 * Alertmanager, which takes every namespace's AlertmanagerConfigs.
 */
export function monitoringObjects(): Record<string, unknown>[] {
  const metadata = { name: MONITORING_NAME, namespace: MONITORING_NAMESPACE };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: MONITORING_NAMESPACE } },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Prometheus',
      metadata,
      spec: {
        version: prometheusRelease(),
        replicas: 1,
        // The tests measure within seconds; users scrape every 30s or so.
        scrapeInterval: '1s',
        scrapeTimeout: '1s',
        evaluationInterval: '1s',
        serviceDiscoveryRole: 'EndpointSlice',
        serviceMonitorSelector: everything,
        serviceMonitorNamespaceSelector: everything,
        podMonitorSelector: everything,
        podMonitorNamespaceSelector: everything,
        ruleSelector: everything,
        ruleNamespaceSelector: everything,
        alerting: {
          alertmanagers: [
            { namespace: MONITORING_NAMESPACE, name: 'alertmanager-operated', port: 'web', apiVersion: 'v2' },
          ],
        },
      },
    },
    {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'Alertmanager',
      metadata,
      spec: {
        version: VERSIONS.alertmanager,
        replicas: 1,
        alertmanagerConfigSelector: everything,
        alertmanagerConfigNamespaceSelector: everything,
      },
    },
  ];
}

/** The Prometheus release of the pinned module: module v0.316.0 is Prometheus v3.16.0. */
export function prometheusRelease(): string {
  const [, minor, patch] = VERSIONS.prometheus.split('.');
  return `v${minor.slice(0, 1)}.${Number(minor.slice(1))}.${patch}`;
}

/** Starts the operator, creates the objects, and starts Prometheus and Alertmanager with what it generates. */
export async function startMonitoring(context: MonitoringLaunch): Promise<MonitoringUrls> {
  const [operatorPort, prometheusPort, alertmanagerPort] = context.ports;
  const urls = {
    prometheusOperator: `http://127.0.0.1:${operatorPort}`,
    prometheus: `http://127.0.0.1:${prometheusPort}`,
    alertmanager: `http://127.0.0.1:${alertmanagerPort}`,
  };
  context.log('starting the Prometheus Operator, and Prometheus and Alertmanager with its configuration');
  context.launch(
    'prometheus-operator',
    context.binaries['prometheus-operator'],
    [`--web.listen-address=127.0.0.1:${operatorPort}`, '--log-level=info'],
    // The operator reads no kubeconfig flag; it takes KUBECONFIG from the environment.
    { KUBECONFIG: context.kubeconfig },
  );
  await context.waitForHttp('prometheus-operator', `${urls.prometheusOperator}/healthz`);
  await applyObjects(context.kubeconfig, monitoringObjects());

  const options: ReloaderOptions = {
    kubeconfig: context.kubeconfig,
    exporter: context.exporter,
    alertmanager: `127.0.0.1:${alertmanagerPort}`,
    rulesDir: join(context.dataDir, 'operator-rules'),
    env: { POD_NAME: `prometheus-${MONITORING_NAME}-0`, SHARD: '0' },
    namespace: MONITORING_NAMESPACE,
    name: MONITORING_NAME,
    prometheusConfig: join(context.dataDir, 'prometheus.yaml'),
    alertmanagerConfig: join(context.dataDir, 'operator-alertmanager.yaml'),
    prometheusUrl: urls.prometheus,
    alertmanagerUrl: urls.alertmanager,
  };
  context.launch('config-reloader', process.execPath, [
    '--import',
    'tsx',
    fileURLToPath(new URL('config-reloader.ts', import.meta.url)),
    JSON.stringify(options),
  ]);
  await waitForFiles(context, [options.prometheusConfig, options.alertmanagerConfig]);
  context.launch('prometheus', context.binaries.prometheus, [
    `--config.file=${options.prometheusConfig}`,
    `--storage.tsdb.path=${join(context.dataDir, 'prometheus')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`,
    // The operator's StatefulSet passes it too: it is how the reloader applies a new configuration.
    '--web.enable-lifecycle',
    '--log.level=warn',
  ]);
  context.launch('alertmanager', context.binaries.alertmanager, [
    `--config.file=${options.alertmanagerConfig}`,
    `--storage.path=${join(context.dataDir, 'alertmanager')}`,
    `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
    // One replica: no gossip port.
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
  await Promise.all([
    context.waitForHttp('prometheus', `${urls.prometheus}/-/ready`),
    context.waitForHttp('alertmanager', `${urls.alertmanager}/-/ready`),
  ]);
  return urls;
}

async function applyObjects(kubeconfig: string, objects: Record<string, unknown>[]): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = ApiClient.fromKubeConfig(kc);
  for (const object of objects) {
    const { kind, metadata } = object as { kind: string; metadata: { name: string } };
    const path =
      kind === 'Namespace'
        ? `/api/v1/namespaces/${metadata.name}`
        : `/apis/monitoring.coreos.com/v1/namespaces/${MONITORING_NAMESPACE}/${kind.toLowerCase()}${kind === 'Prometheus' ? 'es' : 's'}/${metadata.name}`;
    await api.request({
      method: 'PATCH',
      path,
      query: { fieldManager: 'cdk8s-devops-test', force: true },
      contentType: CONTENT_TYPES.apply,
      body: object,
    });
  }
}

/** Waits until the reloader has written the operator's first configuration of each. */
async function waitForFiles(context: MonitoringLaunch, files: string[]): Promise<void> {
  const deadline = Date.now() + HARNESS_WAIT_MS;
  while (!files.every((file) => existsSync(file))) {
    if (Date.now() > deadline) {
      throw new Error(
        `the Prometheus Operator generated no configuration within ${HARNESS_WAIT_MS / 1000}s:\n` +
          `--- config-reloader.log\n${context.logTail('config-reloader')}\n` +
          `--- prometheus-operator.log\n${context.logTail('prometheus-operator')}`,
      );
    }
    await sleep(200);
  }
}
