import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Workload } from '../apps/workload.js';
import { PodVolume } from '../apps/pod-volume.js';
import * as plus from '../core/plus.js';
import type { LogInput, LogOutput } from './fluent-bit.js';
import {
  APP_LOG_DIR,
  CONFIG_DIR,
  CONFIG_FILE,
  FLUENT_BIT_HTTP_PORT,
  LogInput as Input,
  STATE_DIR,
  fluentBitConfig,
} from './fluent-bit.js';

/** The UID sidecars run as: `nobody`, numeric so that the kubelet can check runAsNonRoot. */
export const SIDECAR_UID = 65534;

export interface SidecarOptions {
  /**
   * The image, pinned by a tag or digest.
   *
   * @default - the version this library is tested with
   */
  readonly image?: string;
  /**
   * CPU and memory requests and limits.
   *
   * @default - the app container's
   */
  readonly resources?: plus.ContainerResources;
}

export const STATSD_EXPORTER_IMAGE = 'prom/statsd-exporter:v0.28.0';
/** Where the StatsD exporter serves Prometheus metrics. */
export const STATSD_METRICS_PORT = 9102;
/** Where the app sends StatsD (UDP and TCP) on localhost. */
export const STATSD_PORT = 9125;

/**
 * A StatsD-to-Prometheus exporter beside the app (CloudWatch's agent with StatsD): the app sends
 * StatsD to 127.0.0.1:9125 (`STATSD_HOST` and `STATSD_PORT` are set for it) and Prometheus scrapes the
 * sidecar's port 9102.
 */
export class MetricsSidecar extends Construct {
  public readonly container: plus.Container;
  public readonly metricsPort = STATSD_METRICS_PORT;

  public constructor(scope: Construct, id: string, workload: Workload, options: SidecarOptions = {}) {
    super(scope, id);
    this.container = workload.addSidecar({
      name: 'statsd-exporter',
      image: options.image ?? STATSD_EXPORTER_IMAGE,
      args: [
        `--statsd.listen-udp=:${STATSD_PORT}`,
        `--statsd.listen-tcp=:${STATSD_PORT}`,
        `--web.listen-address=:${STATSD_METRICS_PORT}`,
      ],
      ports: [{ number: STATSD_METRICS_PORT, name: 'metrics' }],
      resources: options.resources,
      runAsUser: SIDECAR_UID,
      runAsGroup: SIDECAR_UID,
    });
    workload.container.env.addVariable('STATSD_HOST', plus.EnvValue.fromValue('127.0.0.1'));
    workload.container.env.addVariable('STATSD_PORT', plus.EnvValue.fromValue(String(STATSD_PORT)));
  }
}

export const FLUENT_BIT_IMAGE = 'fluent/fluent-bit:4.0.3';

export interface LogShippingOptions extends SidecarOptions {
  /**
   * Where the logs come from.
   *
   * @default [LogInput.file()] - files the app writes into /var/log/app
   */
  readonly inputs?: readonly LogInput[];
  /** Where the logs go. */
  readonly outputs: readonly LogOutput[];
}

/**
 * Fluent Bit beside the app (CloudWatch Logs' agent): its YAML configuration generated into a
 * ConfigMap, the app's log directory shared through an emptyDir, tail offsets kept in another.
 */
export class LogShippingSidecar extends Construct {
  public readonly container: plus.Container;
  public readonly configMap: plus.ConfigMap;
  public readonly config: string;
  public readonly outputs: readonly LogOutput[];

  public constructor(scope: Construct, id: string, workload: Workload, options: LogShippingOptions) {
    super(scope, id);
    const inputs = options.inputs ?? [Input.file()];
    this.outputs = options.outputs;
    this.config = fluentBitConfig(workload, {
      inputs,
      outputs: options.outputs,
      workload: workload.name,
      namespace: Chart.of(workload).namespace ?? 'default',
    });
    this.configMap = new plus.ConfigMap(this, 'Config', {
      metadata: { name: `${workload.name}-fluent-bit` },
      data: { [CONFIG_FILE]: this.config },
    });
    const logs = PodVolume.emptyDir('app-logs');
    const tail = inputs.some((i) => i.plugin === 'tail');
    this.container = workload.addSidecar({
      name: 'fluent-bit',
      image: options.image ?? FLUENT_BIT_IMAGE,
      args: ['--config', `${CONFIG_DIR}/${CONFIG_FILE}`],
      ports: [{ number: FLUENT_BIT_HTTP_PORT, name: 'fluent-bit' }],
      resources: options.resources,
      runAsUser: SIDECAR_UID,
      runAsGroup: SIDECAR_UID,
      secretEnv: Object.fromEntries(
        options.outputs.flatMap((o) => o.secretEnv).map((e) => [e.name, e.secret]),
      ),
      mounts: [
        { path: CONFIG_DIR, volume: PodVolume.configMap('fluent-bit-config', this.configMap) },
        { path: STATE_DIR, volume: PodVolume.emptyDir('fluent-bit-state') },
        ...(tail ? [{ path: APP_LOG_DIR, volume: logs, readOnly: true }] : []),
      ],
    });
    if (tail) {
      // The app writes its log files where the sidecar reads them.
      workload.mount(APP_LOG_DIR, logs);
    }
  }
}
