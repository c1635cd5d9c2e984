/**
 * The Prometheus Operator's generated configuration, made runnable out of cluster. The operator writes
 * it for a Prometheus in a pod; the harness runs Prometheus as a local process, which forces exactly
 * these changes and no others:
 * - Kubernetes service discovery reaches the API server through the test kubeconfig (in a pod it uses
 *   the service account);
 * - a discovered pod's address is one kwok made up, where nothing listens: scrapes go to the test
 *   exporter (exporter.ts) with the pod as URL parameters, and alerts to the one Alertmanager process.
 *   `instance` keeps the pod's address, as Prometheus would set it in cluster;
 * - rule files are read from where the harness writes the operator's rule ConfigMaps, not from the
 *   pod's volume, and `$(POD_NAME)` / `$(SHARD)` are expanded, as the operator's config reloader does.
 */

/** The operator's volume of rule ConfigMaps in the Prometheus pod (upstream's `RulesDir`). */
export const OPERATOR_RULES_DIR = '/etc/prometheus/rules';

export interface OutOfCluster {
  readonly kubeconfig: string;
  /** host:port of the test exporter. */
  readonly exporter: string;
  /** host:port of the Alertmanager process. */
  readonly alertmanager: string;
  /** Where the rule ConfigMaps are written, one folder per ConfigMap, as in the pod. */
  readonly rulesDir: string;
  /** The values of the variables the config reloader expands (`POD_NAME`, `SHARD`). */
  readonly env: Readonly<Record<string, string>>;
}

type Config = Record<string, unknown>;
interface SdConfig {
  kubeconfig_file?: string;
  api_server?: string;
}
interface Job {
  kubernetes_sd_configs?: SdConfig[];
  relabel_configs?: Config[];
}

/** The relabelings appended to every scrape job: the pod's address stays `instance`, the exporter is scraped. */
export function exporterRelabelings(exporter: string): Config[] {
  return [
    // Sets `instance` to the pod's address only if the job left it unset, as Prometheus does in cluster.
    { source_labels: ['instance', '__address__'], regex: ';(.+)', target_label: 'instance' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: '__param_namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: '__param_pod' },
    { target_label: '__address__', replacement: exporter },
  ];
}

export function alertmanagerRelabelings(alertmanager: string): Config[] {
  return [{ target_label: '__address__', replacement: alertmanager }];
}

/** The operator's Prometheus configuration (parsed), with only the out-of-cluster changes above. */
export function outOfClusterPrometheusConfig(generated: Config, where: OutOfCluster): Config {
  const config = structuredClone(generated);
  const withDiscovery = (job: Job, relabelings: Config[]): Job => {
    if (!job.kubernetes_sd_configs) {
      return job;
    }
    for (const sd of job.kubernetes_sd_configs) {
      if (sd.api_server) {
        throw new Error(`the generated configuration names an API server (${sd.api_server}): unexpected`);
      }
      sd.kubeconfig_file = where.kubeconfig;
    }
    return { ...job, relabel_configs: [...(job.relabel_configs ?? []), ...relabelings] };
  };
  config.scrape_configs = ((config.scrape_configs ?? []) as Job[]).map((job) =>
    withDiscovery(job, exporterRelabelings(where.exporter)),
  );
  const alerting = config.alerting as { alertmanagers?: Job[] } | undefined;
  if (alerting?.alertmanagers) {
    alerting.alertmanagers = alerting.alertmanagers.map((am) =>
      withDiscovery(am, alertmanagerRelabelings(where.alertmanager)),
    );
  }
  if (config.rule_files) {
    config.rule_files = (config.rule_files as string[]).map((file) =>
      file.startsWith(`${OPERATOR_RULES_DIR}/`)
        ? where.rulesDir + file.slice(OPERATOR_RULES_DIR.length)
        : file,
    );
  }
  return expandVariables(config, where.env) as Config;
}

/** `$(NAME)` in any string, as the operator's config reloader expands it from the pod's environment. */
function expandVariables(value: unknown, env: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\(([A-Z_][A-Z0-9_]*)\)/g, (whole, name: string) => {
      if (!(name in env)) {
        throw new Error(`the generated configuration uses ${whole}, which the harness does not set`);
      }
      return env[name];
    });
  }
  if (Array.isArray(value)) {
    return value.map((item) => expandVariables(item, env));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, expandVariables(v, env)]));
  }
  return value;
}
