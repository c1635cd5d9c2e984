/**
 * What tests read from the one Prometheus of the test cluster, the one the Prometheus Operator
 * configures (PROMETHEUS_VARIABLE): queries, the rules its rule selection loaded, the alerts they raise.
 * Rules of earlier tests stay loaded for the whole run, so everything here is read per namespace.
 */
import { MONITORING_NAME } from '../cluster/prometheus-operator.js';
import { PROMETHEUS_VARIABLE } from '../cluster/test-cluster.js';
import { eventually } from './cluster.js';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RuleGroup {
  name: string;
  file: string;
  rules: { name: string; health: string; lastError?: string }[];
}

export interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

/** The `data` of the test cluster's Prometheus's answer to `GET path`. */
export async function prometheusData<T>(path: string): Promise<T> {
  const url = `${process.env[PROMETHEUS_VARIABLE]}${path}`;
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  }
  return ((await response.json()) as { data: T }).data;
}

export async function query(promql: string): Promise<Sample[]> {
  return (await prometheusData<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`))
    .result;
}

/**
 * The rule groups of `namespace`'s PrometheusRules once Prometheus has loaded `count` of them and
 * evaluated each rule: the operator writes them to its rule ConfigMaps (files `<namespace>-<name>-<uid>.yaml`),
 * the config reloader to disk, and Prometheus reloads.
 */
export function loadedRuleGroups(
  namespace: string,
  count: number,
  timeoutMs = 120_000,
): Promise<RuleGroup[]> {
  const ours = new RegExp(`/prometheus-${MONITORING_NAME}-rulefiles-\\d+/${namespace}-[^/]+$`);
  return eventually(
    `the Prometheus Operator's Prometheus to load and evaluate ${count} rule groups of namespace ${namespace}`,
    async () => {
      const { groups } = await prometheusData<{ groups: RuleGroup[] }>('/api/v1/rules');
      const loaded = groups.filter((g) => ours.test(g.file));
      const evaluated = loaded.every((g) => g.rules.every((r) => r.health !== 'unknown'));
      return loaded.length === count && evaluated ? loaded : undefined;
    },
    timeoutMs,
  );
}

/** The alerts of the rules of `namespace`'s PrometheusRules (labelled with their namespace). */
export async function alertsOf(namespace: string): Promise<PromAlert[]> {
  const { alerts } = await prometheusData<{ alerts: PromAlert[] }>('/api/v1/alerts');
  return alerts.filter((a) => a.labels.namespace === namespace);
}
