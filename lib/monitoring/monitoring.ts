import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  PodMonitor,
  PodMonitorSpecPodMetricsEndpointsRelabelingsAction,
  PrometheusRule,
  ServiceMonitor,
  ServiceMonitorSpecEndpointsRelabelingsAction,
} from '../../imports/monitoring.coreos.com.js';
import type { WebService } from '../apps/web-service.js';
import type { Worker } from '../apps/worker.js';
import { invalid, show } from '../core/errors.js';
import { NAME_LABEL } from '../core/labels.js';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { Alarm } from '../alarms/alarm.js';
import type { MetricScope } from '../alarms/metric-scope.js';
import { alertRules, replacedByName } from './alert-rules.js';
import type { DashboardSource, IDashboardContributor } from './dashboard.js';
import { dashboardConfigMap, serviceDashboard } from './dashboard.js';
import type { GoldenSignalMetrics, GoldenSignalOptions } from './golden-signals.js';
import { goldenSignalAlarms } from './golden-signals.js';
import { parseDuration } from '../alarms/promql.js';
import type { LogShippingOptions, SidecarOptions } from './sidecars.js';
import { LogShippingSidecar, MetricsSidecar } from './sidecars.js';

/** The label Argo Rollouts puts on a version's pods, which canary alarms select on (as `rollouts_pod_template_hash`). */
const ROLLOUT_HASH_LABEL = 'rollouts-pod-template-hash';

/** The namespace Prometheus runs in, whose pods may scrape the workloads. */
export const MONITORING_NAMESPACE = 'monitoring';

export interface MetricsEndpointOptions {
  /**
   * The container port that serves Prometheus metrics.
   *
   * @default - the workload's port
   */
  readonly port?: number;
  /** @default '/metrics' */
  readonly path?: string;
}

export interface MonitoringProps {
  /** The workload to monitor. */
  readonly workload: WebService | Worker;
  /**
   * The app's own Prometheus metrics endpoint, or false when the app serves none.
   *
   * @default - '/metrics' on the workload's port, when it has one
   */
  readonly metrics?: MetricsEndpointOptions | false;
  /**
   * How often Prometheus scrapes; no alarm's period may be shorter.
   *
   * @default '30s'
   */
  readonly scrapeInterval?: string;
  /**
   * The metric names the golden-signal alarms read.
   *
   * @default - the Prometheus client libraries' and kube-state-metrics' names
   */
  readonly metricNames?: GoldenSignalMetrics;
  /**
   * Changes to the golden-signal alarms, or false for none of them.
   *
   * @default - every golden signal with its defaults
   */
  readonly goldenSignals?: GoldenSignalOptions | false;
  /**
   * More alarms (the alarms a deployment strategy analyses, for example); one named like a golden signal
   * ("error-rate", "latency-p99", "cpu-saturation", "restarts") replaces it.
   *
   * @default - none
   */
  readonly alarms?: readonly Alarm[];
  /**
   * A StatsD-to-Prometheus exporter sidecar, scraped beside the app.
   *
   * @default - none
   */
  readonly statsd?: SidecarOptions | boolean;
  /**
   * A Fluent Bit sidecar that ships the app's logs.
   *
   * @default - none
   */
  readonly logs?: LogShippingOptions;
  /**
   * A Grafana dashboard of the workload, in a ConfigMap for Grafana's dashboard sidecar.
   *
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Labels on the ServiceMonitor, PodMonitor and PrometheusRule that the Prometheus picks them by
   * (its `serviceMonitorSelector`, `ruleSelector`...).
   *
   * @default - none
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
}

/**
 * A workload's monitoring, switched on with one line: scraping (a ServiceMonitor or PodMonitor, and the
 * `prometheus.io/*` annotations), a NetworkPolicy that lets only the monitoring namespace reach the
 * metrics ports, golden-signal and custom alarms as a PrometheusRule (with "no data" alerts), optional
 * StatsD and Fluent Bit sidecars, and a Grafana dashboard.
 */
export class Monitoring extends Construct implements IDashboardContributor {
  public readonly alarms: readonly Alarm[];
  public readonly target: MetricScope;
  public readonly rules?: PrometheusRule;
  public readonly serviceMonitor?: ServiceMonitor;
  public readonly podMonitor?: PodMonitor;
  public readonly networkPolicy?: plus.k8s.KubeNetworkPolicy;
  public readonly metricsSidecar?: MetricsSidecar;
  public readonly logShipping?: LogShippingSidecar;
  public readonly dashboard?: plus.k8s.KubeConfigMap;
  private readonly requestsMetric?: string;

  public constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const workload = props.workload;
    const service = 'service' in workload ? workload.service : undefined;
    const namespace = Chart.of(workload).namespace ?? 'default';
    this.target = { service: service?.name ?? workload.name, namespace, container: workload.name };
    const scrape = { interval: props.scrapeInterval ?? '30s', labels: { ...props.selectorLabels } };
    parseDuration(this, 'scrapeInterval', scrape.interval);
    const appMetrics = this.appMetrics(props.metrics, workload.port);
    if (props.statsd) {
      this.metricsSidecar = new MetricsSidecar(
        this,
        'Statsd',
        workload,
        props.statsd === true ? {} : props.statsd,
      );
    }
    if (props.logs) {
      this.logShipping = new LogShippingSidecar(this, 'Logs', workload, props.logs);
    }
    const scraping = this.scrape(workload, service, appMetrics, scrape);
    this.serviceMonitor = scraping.serviceMonitor;
    this.podMonitor = scraping.podMonitor;
    this.networkPolicy = scraping.networkPolicy;
    this.allowLogEgress(workload);

    // Alarms: the golden signals, then the user's; names must differ.
    const servesHttp = service !== undefined && appMetrics !== undefined;
    this.requestsMetric = servesHttp
      ? (props.metricNames?.requestsTotal ?? 'http_requests_total')
      : undefined;
    this.alarms = this.alarmsOf(props, servesHttp, scrape.interval);
    if (this.alarms.length > 0) {
      this.rules = this.rulesOf(workload.name, scrape.labels);
    }
    if (props.dashboard ?? true) {
      this.dashboard = dashboardConfigMap(this, 'Dashboard', `${workload.name}-dashboard`, () =>
        serviceDashboard(this.dashboardSource, `${namespace}-${workload.name}`),
      );
    }
  }

  /** Scraping: the app's endpoint through its Service when it has one, the pod's ports otherwise. */
  private scrape(
    workload: WebService | Worker,
    service: plus.Service | undefined,
    appMetrics: MetricsEndpoint | undefined,
    scrape: ScrapeOptions,
  ) {
    // The Service port that serves the metrics, by name: the main port's, or a named one ("metrics").
    const servedBy = service?.ports.find((p) => appMetrics !== undefined && p.targetPort === appMetrics.port);
    const serviceMonitor =
      appMetrics && service && servedBy
        ? this.serviceMonitorOf(workload, service, servedBy.name, appMetrics, scrape)
        : undefined;
    const podPorts = [
      ...(appMetrics && !serviceMonitor ? [appMetrics] : []),
      ...(this.metricsSidecar ? [{ port: this.metricsSidecar.metricsPort, path: '/metrics' }] : []),
    ];
    const podMonitor = podPorts.length > 0 ? this.podMonitorOf(workload, podPorts, scrape) : undefined;
    const networkPolicy = this.allowScrape(workload, [
      ...(appMetrics ? [appMetrics] : []),
      ...podPorts.filter((p) => p.port !== appMetrics?.port),
    ]);
    return { serviceMonitor, podMonitor, networkPolicy };
  }

  /**
   * A ServiceMonitor picks Services by label; the workload's name label says which. The strategy's own
   * Services (blue/green's preview, a traffic router's canary) reach the new pods before the main Service
   * does, so they carry it too: else no analysis before promotion would have data.
   */
  private serviceMonitorOf(
    workload: WebService | Worker,
    service: plus.Service,
    port: string | undefined,
    metrics: MetricsEndpoint,
    scrape: ScrapeOptions,
  ): ServiceMonitor {
    for (const selected of [service, ...(workload.delivery?.extraServices ?? [])]) {
      selected.metadata.addLabel(NAME_LABEL, workload.name);
    }
    return new ServiceMonitor(this, 'ServiceMonitor', {
      metadata: { name: workload.name, labels: scrape.labels },
      spec: {
        selector: { matchLabels: { [NAME_LABEL]: workload.name } },
        podTargetLabels: [ROLLOUT_HASH_LABEL],
        endpoints: [
          {
            port,
            path: metrics.path,
            interval: scrape.interval,
            // One `service` label whichever Service found the pod, which the alarms select on; a pod
            // behind two of them is then one target, not two series.
            relabelings: [
              {
                targetLabel: 'service',
                replacement: this.target.service,
                action: ServiceMonitorSpecEndpointsRelabelingsAction.REPLACE,
              },
            ],
          },
        ],
      },
    });
  }

  /** The pod ports that no Service serves: the app's own without a Service, the StatsD exporter's. */
  private podMonitorOf(
    workload: WebService | Worker,
    ports: readonly MetricsEndpoint[],
    scrape: ScrapeOptions,
  ): PodMonitor {
    return new PodMonitor(this, 'PodMonitor', {
      metadata: { name: workload.name, labels: scrape.labels },
      spec: {
        selector: { matchLabels: { ...workload.podSelector } },
        podTargetLabels: [ROLLOUT_HASH_LABEL],
        podMetricsEndpoints: ports.map(({ port, path }) => ({
          portNumber: port,
          path,
          interval: scrape.interval,
          // The `service` label that the alarms select on, as a ServiceMonitor would set it.
          relabelings: [
            {
              targetLabel: 'service',
              replacement: this.target.service,
              action: PodMonitorSpecPodMetricsEndpointsRelabelingsAction.REPLACE,
            },
          ],
        })),
      },
    });
  }

  /**
   * The `prometheus.io/*` annotations of the first scraped port, and a NetworkPolicy that lets only the
   * monitoring namespace reach the scraped ports; nothing when nothing is scraped.
   */
  private allowScrape(
    workload: WebService | Worker,
    scraped: readonly MetricsEndpoint[],
  ): plus.k8s.KubeNetworkPolicy | undefined {
    if (scraped.length === 0) {
      return undefined;
    }
    // For Prometheus without the operator: its kubernetes-pods job reads these (one port only).
    const first = scraped[0];
    workload.resource.podMetadata.addAnnotation('prometheus.io/scrape', 'true');
    workload.resource.podMetadata.addAnnotation('prometheus.io/port', String(first.port));
    workload.resource.podMetadata.addAnnotation('prometheus.io/path', first.path);
    return new plus.k8s.KubeNetworkPolicy(this, 'AllowScrape', {
      metadata: { name: `${workload.name}-from-${MONITORING_NAMESPACE}` },
      spec: {
        podSelector: { matchLabels: { ...workload.podSelector } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE } } },
            ],
            ports: [...new Set(scraped.map((p) => p.port))].map((port) => ({
              port: plus.k8s.IntOrString.fromNumber(port),
              protocol: 'TCP',
            })),
          },
        ],
      },
    });
  }

  /** The log outputs' ports, open for egress from the workload. */
  private allowLogEgress(workload: WebService | Worker): void {
    if (this.logShipping) {
      const ports = [...new Set(this.logShipping.outputs.flatMap((o) => (o.port ? [o.port] : [])))];
      if (ports.length > 0) {
        workload.allowEgressToCidr('0.0.0.0/0', { ports });
      }
    }
  }

  /**
   * The golden signals, then the user's alarms, each validated. An alarm of the user's replaces the
   * golden signal of its name: the alarms a strategy analyses are the same objects that become alerts.
   */
  private alarmsOf(props: MonitoringProps, servesHttp: boolean, scrapeInterval: string): readonly Alarm[] {
    const golden =
      props.goldenSignals === false
        ? []
        : goldenSignalAlarms(props.metricNames, props.goldenSignals, servesHttp);
    const alarms = replacedByName(this, golden, props.alarms ?? []);
    for (const alarm of alarms) {
      alarm.validate(this, this.target, scrapeInterval);
    }
    return alarms;
  }

  /** The alarms as one PrometheusRule group of alerting rules. */
  private rulesOf(workload: string, labels: Record<string, string>): PrometheusRule {
    return new PrometheusRule(this, 'Rules', {
      metadata: { name: `${workload}-alarms`, labels },
      spec: {
        groups: [
          {
            name: `${this.target.namespace}.${workload}`,
            rules: alertRules(this, workload, this.alarms, this.target),
          },
        ],
      },
    });
  }

  /** The app's own metrics endpoint, checked; undefined when it serves none. */
  private appMetrics(
    options: MetricsEndpointOptions | false | undefined,
    workloadPort: number | undefined,
  ): MetricsEndpoint | undefined {
    if (options === false || (options === undefined && workloadPort === undefined)) {
      return undefined;
    }
    const port = options?.port ?? workloadPort;
    if (port === undefined) {
      invalid(this, 'metrics has no port, and the workload has none', 'Set metrics.port');
    }
    checkRange(this, 'metrics.port', port, 1, 65535, 'Use a port between 1 and 65535');
    const path = options?.path ?? '/metrics';
    if (!path.startsWith('/')) {
      invalid(this, `metrics.path ${show(path)} does not start with "/"`, 'Write it like "/metrics"');
    }
    return { port, path };
  }

  public get dashboardSource(): DashboardSource {
    return {
      scope: this,
      title: `${this.target.namespace}/${this.target.container}`,
      target: this.target,
      alarms: this.alarms,
      requestsMetric: this.requestsMetric,
    };
  }
}

/** A port and path that Prometheus scrapes. */
interface MetricsEndpoint {
  readonly port: number;
  readonly path: string;
}

/** How often Prometheus scrapes, and the labels its selectors pick the monitors by. */
interface ScrapeOptions {
  readonly interval: string;
  readonly labels: Record<string, string>;
}
