import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import {
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
} from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { Chart, Lazy } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import * as plus from '../core/plus.js';
import type { Alarm } from '../alarms/alarm.js';
import type { MetricScope } from '../alarms/metric-scope.js';
import { checkPromQl } from '../alarms/promql.js';

/** The label Grafana's dashboard sidecar (kiwigrid k8s-sidecar, as in the Grafana Helm chart) looks for. */
export const GRAFANA_DASHBOARD_LABEL = 'grafana_dashboard';

/**
 * A dashboard's JSON model, as far as the library's API shows it. The SDK's own `Dashboard` type stays
 * inside this module: its typings resolve only under `node16`/`bundler` resolution, and a CommonJS
 * consumer (cdk8s-cli's typescript-app template) type-checks ours under `node10`.
 */
export interface DashboardJson {
  readonly uid?: string;
  readonly title?: string;
  readonly panels?: readonly unknown[];
}
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** What a dashboard shows of one workload. */
export interface DashboardSource {
  readonly scope: IConstruct;
  readonly title: string;
  readonly target: MetricScope;
  readonly alarms: readonly Alarm[];
  /** The requests counter, for a requests-per-second panel; undefined for a workload without HTTP. */
  readonly requestsMetric?: string;
}

const UNITS: Record<string, string> = { 'error-rate': 'percentunit', 'cpu-saturation': 'percentunit' };

const RATE_INTERVAL = '$__rate_interval';

function query(scope: IConstruct, what: string, expr: string, legend: string) {
  // Grafana fills in its variable before Prometheus sees the query: parse with a duration of the same length.
  checkPromQl(scope, what, expr.replaceAll(RATE_INTERVAL, `${'9'.repeat(RATE_INTERVAL.length - 1)}s`));
  return new DataqueryBuilder().expr(expr).legendFormat(legend).datasource(DATASOURCE);
}

/** The panels of one workload: requests per second, then each alarm's datapoint with its threshold. */
function panels(source: DashboardSource, width: number): PanelBuilder[] {
  const { service, namespace } = source.target;
  const result: PanelBuilder[] = [];
  if (source.requestsMetric) {
    result.push(
      new PanelBuilder()
        .title(`${service}: requests per second`)
        .unit('reqps')
        .datasource(DATASOURCE)
        .gridPos({ x: 0, y: 0, w: width, h: 8 })
        .withTarget(
          query(
            source.scope,
            'dashboard query',
            `sum(rate(${source.requestsMetric}{namespace="${namespace}",service="${service}"}[${RATE_INTERVAL}]))`,
            'requests/s',
          ),
        ),
    );
  }
  for (const alarm of source.alarms) {
    result.push(
      new PanelBuilder()
        .title(`${service}: ${alarm.name} (alarm ${alarm.comparison} ${alarm.threshold})`)
        .description(alarm.description ?? '')
        .unit(UNITS[alarm.name] ?? (alarm.name.startsWith('latency') ? 's' : 'short'))
        .datasource(DATASOURCE)
        .gridPos({ x: 0, y: 0, w: width, h: 8 })
        .thresholds(
          new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
            { value: null, color: 'green' },
            { value: alarm.threshold, color: 'red' },
          ]),
        )
        .thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.DashedAndArea))
        .withTarget(
          query(
            source.scope,
            `alarm "${alarm.name}" dashboard query`,
            alarm.queryFor(source.target),
            alarm.name,
          ),
        ),
    );
  }
  return result;
}

/** Lays panels out left to right, `perRow` in a row. */
function laidOut(list: PanelBuilder[], perRow: number, top: number): PanelBuilder[] {
  const width = 24 / perRow;
  return list.map((p, i) =>
    p.gridPos({ x: (i % perRow) * width, y: top + Math.floor(i / perRow) * 8, w: width, h: 8 }),
  );
}

function dashboard(uid: string, title: string, tags: string[]): DashboardBuilder {
  return new DashboardBuilder(title)
    .uid(uid)
    .tags(tags)
    .readonly()
    .time({ from: 'now-3h', to: 'now' })
    .refresh('1m')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
}

/** The dashboard of one workload: its golden signals and every alarm, each with its threshold drawn. */
export function serviceDashboard(source: DashboardSource, uid: string): DashboardJson {
  const builder = dashboard(uid, source.title, ['cdk8s-devops', source.target.namespace]);
  for (const panel of laidOut(panels(source, 12), 2, 0)) {
    builder.withPanel(panel);
  }
  return builder.build();
}

/** The dashboard of a stack: a row per workload with its golden signals. */
export function stackDashboard(
  title: string,
  uid: string,
  sources: readonly DashboardSource[],
): DashboardJson {
  const builder = dashboard(uid, title, ['cdk8s-devops', 'stack']);
  let top = 0;
  for (const source of sources) {
    builder.withRow(new RowBuilder(source.title).gridPos({ x: 0, y: top, w: 24, h: 1 }));
    const list = panels(source, 6);
    for (const panel of laidOut(list, 4, top + 1)) {
      builder.withPanel(panel);
    }
    top += 1 + Math.ceil(list.length / 4) * 8;
  }
  return builder.build();
}

/** A ConfigMap holding one dashboard's JSON, labelled for Grafana's dashboard sidecar. */
export function dashboardConfigMap(scope: Construct, id: string, name: string, json: () => DashboardJson) {
  return new plus.k8s.KubeConfigMap(scope, id, {
    metadata: { name, labels: { [GRAFANA_DASHBOARD_LABEL]: '1' } },
    // Made when the chart is synthesized, so that the dashboard sees every alarm and workload.
    data: Lazy.any({ produce: () => ({ [`${name}.json`]: JSON.stringify(json(), null, 2) }) }) as Record<
      string,
      string
    >,
  });
}

/** Something that contributes a workload to its stack's dashboard. */
export interface IDashboardContributor extends IConstruct {
  readonly dashboardSource: DashboardSource;
}

/**
 * One dashboard for a whole AppStack (chart): a row per monitored workload in it, found when the chart
 * is synthesized, so workloads added after it are included.
 */
export class StackDashboard extends Construct {
  public readonly configMap: plus.k8s.KubeConfigMap;

  public constructor(scope: Construct, id: string, props: { readonly title?: string } = {}) {
    super(scope, id);
    const chart = Chart.of(this);
    const name = `${chart.node.id}-stack-dashboard`;
    this.configMap = dashboardConfigMap(this, 'Resource', name, () =>
      stackDashboard(
        props.title ?? `${chart.node.id} (${chart.namespace ?? 'default'})`,
        name,
        chart.node
          .findAll()
          .filter((c): c is IDashboardContributor => 'dashboardSource' in c)
          .map((c) => c.dashboardSource),
      ),
    );
  }
}
