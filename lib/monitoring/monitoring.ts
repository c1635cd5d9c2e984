import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import {
  PodMonitor,
  PodMonitorSpecPodMetricsEndpointsRelabelingsAction,
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
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
import type { DashboardSource, IDashboardContributor } from './dashboard.js';
import { dashboardConfigMap, serviceDashboard } from './dashboard.js';
import type { GoldenSignalMetrics, GoldenSignalOptions } from './golden-signals.js';
import { goldenSignalAlarms } from './golden-signals.js';
import { checkPromQl, parseDuration } from '../alarms/promql.js';
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
    const namespace = Chart.of(workload).namespace ?? 'default';
    const service = 'service' in workload ? workload.service : undefined;
    this.target = { service: service?.name ?? workload.name, namespace, container: workload.name };
    const scrapeInterval = props.scrapeInterval ?? '30s';
    parseDuration(this, 'scrapeInterval', scrapeInterval);
    const labels = { ...props.selectorLabels };

    // Scraping: the app's endpoint through its Service when it has one, the pod's ports otherwise.
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
    const podPorts: { port: number; path: string }[] = [];
    // The Service port that serves the metrics, by name: the main port's, or a named one ("metrics").
    const servedBy = service?.ports.find((p) => appMetrics !== undefined && p.targetPort === appMetrics.port);
    if (appMetrics && service && servedBy) {
      // A ServiceMonitor picks Services by label; the workload's name label says which. The strategy's
      // own Services (blue/green's preview, a traffic router's canary) reach the new pods before the
      // main Service does, so they carry it too: else no analysis before promotion would have data.
      for (const selected of [service, ...(workload.delivery?.extraServices ?? [])]) {
        selected.metadata.addLabel(NAME_LABEL, workload.name);
      }
      this.serviceMonitor = new ServiceMonitor(this, 'ServiceMonitor', {
        metadata: { name: workload.name, labels },
        spec: {
          selector: { matchLabels: { [NAME_LABEL]: workload.name } },
          podTargetLabels: [ROLLOUT_HASH_LABEL],
          endpoints: [
            {
              port: servedBy.name,
              path: appMetrics.path,
              interval: scrapeInterval,
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
    } else if (appMetrics) {
      podPorts.push(appMetrics);
    }
    if (this.metricsSidecar) {
      podPorts.push({ port: this.metricsSidecar.metricsPort, path: '/metrics' });
    }
    if (podPorts.length > 0) {
      this.podMonitor = new PodMonitor(this, 'PodMonitor', {
        metadata: { name: workload.name, labels },
        spec: {
          selector: { matchLabels: { ...workload.podSelector } },
          podTargetLabels: [ROLLOUT_HASH_LABEL],
          podMetricsEndpoints: podPorts.map(({ port, path }) => ({
            portNumber: port,
            path,
            interval: scrapeInterval,
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
    const scraped = [
      ...(appMetrics ? [appMetrics] : []),
      ...podPorts.filter((p) => p.port !== appMetrics?.port),
    ];
    if (scraped.length > 0) {
      // For Prometheus without the operator: its kubernetes-pods job reads these (one port only).
      const first = scraped[0];
      workload.resource.podMetadata.addAnnotation('prometheus.io/scrape', 'true');
      workload.resource.podMetadata.addAnnotation('prometheus.io/port', String(first.port));
      workload.resource.podMetadata.addAnnotation('prometheus.io/path', first.path);
      this.networkPolicy = new plus.k8s.KubeNetworkPolicy(this, 'AllowScrape', {
        metadata: { name: `${workload.name}-from-${MONITORING_NAMESPACE}` },
        spec: {
          podSelector: { matchLabels: { ...workload.podSelector } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchLabels: { 'kubernetes.io/metadata.name': MONITORING_NAMESPACE },
                  },
                },
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
    if (this.logShipping) {
      const ports = [...new Set(this.logShipping.outputs.flatMap((o) => (o.port ? [o.port] : [])))];
      if (ports.length > 0) {
        workload.allowEgressToCidr('0.0.0.0/0', { ports });
      }
    }

    // Alarms: the golden signals, then the user's; names must differ.
    const servesHttp = service !== undefined && appMetrics !== undefined;
    this.requestsMetric = servesHttp
      ? (props.metricNames?.requestsTotal ?? 'http_requests_total')
      : undefined;
    // An alarm of the user's replaces the golden signal of its name: the alarms a strategy analyses are
    // the same objects that become alerts.
    const golden =
      props.goldenSignals === false
        ? []
        : goldenSignalAlarms(props.metricNames, props.goldenSignals, servesHttp);
    this.alarms = replacedByName(this, golden, props.alarms ?? []);
    for (const alarm of this.alarms) {
      alarm.validate(this, this.target, scrapeInterval);
    }
    if (this.alarms.length > 0) {
      this.rules = new PrometheusRule(this, 'Rules', {
        metadata: { name: `${workload.name}-alarms`, labels },
        spec: {
          groups: [
            {
              name: `${namespace}.${workload.name}`,
              rules: alertRules(this, workload.name, this.alarms, this.target),
            },
          ],
        },
      });
    }
    if (props.dashboard ?? true) {
      const name = `${namespace}-${workload.name}`;
      this.dashboard = dashboardConfigMap(this, 'Dashboard', `${workload.name}-dashboard`, () =>
        serviceDashboard(this.dashboardSource, name),
      );
    }
  }

  /** The app's own metrics endpoint, checked; undefined when it serves none. */
  private appMetrics(
    options: MetricsEndpointOptions | false | undefined,
    workloadPort: number | undefined,
  ): { port: number; path: string } | undefined {
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

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** `defaults` with `own` after them, each of `own` replacing the default of its name; `own` names differ. */
export function replacedByName(
  scope: IConstruct,
  defaults: readonly Alarm[],
  own: readonly Alarm[],
): Alarm[] {
  const names = new Set<string>();
  for (const alarm of own) {
    if (names.has(alarm.name)) {
      invalid(scope, `two alarms are named ${show(alarm.name)}`, 'Give each alarm its own name');
    }
    names.add(alarm.name);
  }
  return [...defaults.filter((alarm) => !names.has(alarm.name)), ...own];
}

/** Every alarm's alerting rules, each expression parsed. */
export function alertRules(
  scope: IConstruct,
  workload: string,
  alarms: readonly Alarm[],
  target: MetricScope,
) {
  return alarms.flatMap((alarm) =>
    alarm
      .alertRulesFor(target, `${pascal(workload)}${pascal(alarm.name)}`)
      .map(({ keep_firing_for, expr, ...rule }) => ({
        ...rule,
        expr: PrometheusRuleSpecGroupsRulesExpr.fromString(
          checkPromQl(scope, `alert ${rule.alert} expression`, expr),
        ),
        keepFiringFor: keep_firing_for,
      })),
  );
}
