import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { PrometheusRule } from '../../imports/monitoring.coreos.com.js';
import { invalid } from '../core/errors.js';
import type * as plus from '../core/plus.js';
import type { MetricScope } from '../alarms/metric-scope.js';
import { Alarm } from '../alarms/alarm.js';
import { TreatMissingData } from '../alarms/alarm-props.js';
import { Statistic } from '../alarms/statistic.js';
import type { DashboardSource, IDashboardContributor } from './dashboard.js';
import { dashboardConfigMap, serviceDashboard } from './dashboard.js';
import { alertRules, replacedByName } from './alert-rules.js';

/** The `service` label of a namespace's own alerts, which concern no one service. */
export const NAMESPACE_ALERT_SERVICE = 'namespace';

export interface NamespaceMonitoringProps {
  /**
   * More alarms on the namespace, beside its own; `{{namespace}}` in their queries is the namespace. One
   * named like a namespace alarm ("quota", "crash-looping", "pods-pending") replaces it.
   *
   * @default - none
   */
  readonly alarms?: readonly Alarm[];
  /**
   * A Grafana dashboard of the namespace's alarms, in a ConfigMap for Grafana's dashboard sidecar.
   *
   * @default true
   */
  readonly dashboard?: boolean;
  /**
   * Labels on the PrometheusRule that the Prometheus picks it by (its `ruleSelector`).
   *
   * @default - none
   */
  readonly selectorLabels?: Readonly<Record<string, string>>;
}

/**
 * What no single workload's monitoring sees, for a whole namespace (its chart's): a ResourceQuota nearly
 * used up, any container crash-looping (workers and jobs included) and pods that cannot be scheduled,
 * from kube-state-metrics, as one PrometheusRule (with "no data" alerts), and a dashboard of them.
 */
export class NamespaceMonitoring extends Construct implements IDashboardContributor {
  /**
   * The namespace alarms every team gets: a quota above 90% of its hard limit (with a "no data" alert,
   * since a quota always has series), a container restarting more than 3 times in 15 minutes, a pod
   * pending for 10 minutes (silent without pods).
   */
  public static defaultAlarms(): Alarm[] {
    const ns = 'namespace="{{namespace}}"';
    return [
      Alarm.metric({
        name: 'quota',
        metric: `max(kube_resourcequota{${ns},type="used"} / ignoring(type) kube_resourcequota{${ns},type="hard"})`,
        threshold: 0.9,
        period: '5m',
        description:
          "The namespace uses more than 90% of a ResourceQuota's hard limit; new pods will be refused",
      }),
      Alarm.metric({
        name: 'crash-looping',
        metric: `max(increase(kube_pod_container_status_restarts_total{${ns}}[{{period}}]))`,
        statistic: Statistic.VALUE,
        period: '15m',
        threshold: 3,
        // A namespace without pods has no series and nothing to alert on.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description: 'A container restarted more than 3 times in 15 minutes',
      }),
      Alarm.metric({
        name: 'pods-pending',
        metric: `sum(kube_pod_status_phase{${ns},phase="Pending"})`,
        threshold: 0,
        evaluationPeriods: 10,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        description: 'Pods have been pending for 10 minutes: they cannot be scheduled or their images pulled',
      }),
    ];
  }

  public readonly alarms: readonly Alarm[];
  public readonly target: MetricScope;
  public readonly rules: PrometheusRule;
  public readonly dashboard?: plus.k8s.KubeConfigMap;

  public constructor(scope: Construct, id: string, props: NamespaceMonitoringProps = {}) {
    super(scope, id);
    const namespace = Chart.of(this).namespace;
    if (namespace === undefined) {
      invalid(this, 'NamespaceMonitoring needs its chart to have a namespace', 'Give the chart a namespace');
    }
    this.target = { service: NAMESPACE_ALERT_SERVICE, namespace };
    this.alarms = replacedByName(this, NamespaceMonitoring.defaultAlarms(), props.alarms ?? []);
    for (const alarm of this.alarms) {
      alarm.validate(this, this.target);
    }
    this.rules = new PrometheusRule(this, 'Rules', {
      metadata: { name: 'namespace-alarms', labels: { ...props.selectorLabels } },
      spec: {
        groups: [
          { name: `${namespace}.namespace`, rules: alertRules(this, 'namespace', this.alarms, this.target) },
        ],
      },
    });
    if (props.dashboard ?? true) {
      this.dashboard = dashboardConfigMap(this, 'Dashboard', 'namespace-dashboard', () =>
        serviceDashboard(this.dashboardSource, `${namespace}-namespace`),
      );
    }
  }

  public get dashboardSource(): DashboardSource {
    return {
      scope: this,
      title: `${this.target.namespace} (namespace)`,
      target: this.target,
      alarms: this.alarms,
    };
  }
}
