/**
 * What the harness changes in the Prometheus Operator's configuration to run Prometheus out of cluster:
 * the discovery's kubeconfig, the pods' and Alertmanager's addresses, the rule files' folder and the
 * reloader's variables, and nothing else.
 */
import {
  alertmanagerRelabelings,
  exporterRelabelings,
  outOfClusterPrometheusConfig,
} from '../cluster/operator-config.js';

const where = {
  kubeconfig: '/tmp/cluster/kubeconfig',
  exporter: '127.0.0.1:9000',
  alertmanager: '127.0.0.1:9093',
  rulesDir: '/tmp/cluster/operator-rules',
  env: { POD_NAME: 'prometheus-test-0', SHARD: '0' },
};

/** The shape of what the operator generates (abridged from v0.93.0's output for one ServiceMonitor). */
const generated = {
  global: {
    scrape_interval: '1s',
    external_labels: { prometheus: 'monitoring/test', prometheus_replica: '$(POD_NAME)' },
  },
  rule_files: ['/etc/prometheus/rules/prometheus-test-rulefiles-0/*.yaml'],
  scrape_configs: [
    {
      job_name: 'serviceMonitor/shop/api/0',
      kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['shop'] } }],
      relabel_configs: [
        { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
        { source_labels: ['__tmp_hash'], regex: '$(SHARD)', action: 'keep' },
      ],
    },
  ],
  alerting: {
    alertmanagers: [
      {
        path_prefix: '/',
        kubernetes_sd_configs: [{ role: 'endpointslice', namespaces: { names: ['monitoring'] } }],
        relabel_configs: [
          {
            action: 'keep',
            source_labels: ['__meta_kubernetes_service_name'],
            regex: 'alertmanager-operated',
          },
        ],
      },
    ],
  },
};

test('discovery gets the kubeconfig; pods and Alertmanager get the local addresses; nothing else changes', () => {
  const config = outOfClusterPrometheusConfig(generated, where);
  const expected = structuredClone(generated) as typeof generated & Record<string, unknown>;
  expected.global.external_labels.prometheus_replica = 'prometheus-test-0';
  expected.rule_files = ['/tmp/cluster/operator-rules/prometheus-test-rulefiles-0/*.yaml'];
  const job = expected.scrape_configs[0];
  Object.assign(job.kubernetes_sd_configs[0], { kubeconfig_file: where.kubeconfig });
  job.relabel_configs[1].regex = '0';
  job.relabel_configs.push(...(exporterRelabelings(where.exporter) as typeof job.relabel_configs));
  const am = expected.alerting.alertmanagers[0];
  Object.assign(am.kubernetes_sd_configs[0], { kubeconfig_file: where.kubeconfig });
  am.relabel_configs.push(...(alertmanagerRelabelings(where.alertmanager) as typeof am.relabel_configs));
  expect(config).toEqual(expected);
  // The operator's own object is left as it was.
  expect(generated.scrape_configs[0].kubernetes_sd_configs[0]).not.toHaveProperty('kubeconfig_file');
});

test('the pod address stays the instance label unless the job set one; the exporter is scraped with the pod', () => {
  expect(exporterRelabelings('127.0.0.1:9000')).toEqual([
    { source_labels: ['instance', '__address__'], regex: ';(.+)', target_label: 'instance' },
    { source_labels: ['__meta_kubernetes_namespace'], target_label: '__param_namespace' },
    { source_labels: ['__meta_kubernetes_pod_name'], target_label: '__param_pod' },
    { target_label: '__address__', replacement: '127.0.0.1:9000' },
  ]);
});

test('a variable the reloader would not know fails with its name', () => {
  const config = { global: { external_labels: { zone: '$(TOPOLOGY_ZONE)' } } };
  expect(() => outOfClusterPrometheusConfig(config, where)).toThrow(
    'the generated configuration uses $(TOPOLOGY_ZONE), which the harness does not set',
  );
});

test('a configuration that names its own API server is refused, since the harness would not reach it', () => {
  const config = {
    scrape_configs: [{ kubernetes_sd_configs: [{ role: 'pod', api_server: 'https://10.0.0.1' }] }],
  };
  expect(() => outOfClusterPrometheusConfig(config, where)).toThrow(
    'the generated configuration names an API server (https://10.0.0.1): unexpected',
  );
});
