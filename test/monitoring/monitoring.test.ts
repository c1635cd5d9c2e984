import { parseYaml } from '../util/yaml.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { StackDashboard } from '../../lib/monitoring/dashboard.js';
import { LogOutput } from '../../lib/monitoring/fluent-bit.js';
import type { MonitoringProps } from '../../lib/monitoring/monitoring.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import type { Obj } from '../util/synth.js';
import { all, one, podSpec, synth, testStack } from '../util/synth.js';
import { checkFluentBitConfig } from './fluent-bit-schema.js';

const image = 'ghcr.io/acme/api:1.0.0';

function monitored(props: Partial<MonitoringProps> = {}, worker = false): Obj[] {
  const stack = testStack();
  const tier = stack.addTier('app');
  const workload = worker ? new Worker(tier, 'orders', { image }) : new WebService(tier, 'api', { image });
  new Monitoring(stack, 'monitoring', { workload, ...props });
  return synth(stack);
}

/** The `service` label the alarms select on, one whichever Service found the pod. */
const SERVICE_LABEL = (service: string) => [
  { action: 'replace', targetLabel: 'service', replacement: service },
];

describe('scraping', () => {
  test("blue/green: the ServiceMonitor selects the preview Service too, so the new pods are scraped before promotion, as the active Service's", () => {
    const stack = testStack();
    const workload = new WebService(stack, 'storefront', {
      image,
      strategy: DeploymentStrategy.blueGreen({ prometheusAddress: 'http://prometheus:9090' }),
    });
    new Monitoring(stack, 'monitoring', { workload });
    const objects = synth(stack);
    const selector = one(objects, 'ServiceMonitor', 'storefront').spec.selector.matchLabels;
    const selected = all(objects, 'Service').filter((s) =>
      Object.entries(selector).every(([k, v]) => s.metadata.labels?.[k] === v),
    );
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(['storefront', 'storefront-preview']);
    expect(one(objects, 'ServiceMonitor', 'storefront').spec.endpoints[0].relabelings).toEqual(
      SERVICE_LABEL('storefront'),
    );
  });

  test('a WebService with named ports: the ServiceMonitor scrapes the Service port that serves the metrics port, by name', () => {
    const stack = testStack();
    const workload = new WebService(stack, 'api', {
      image,
      ports: [
        { name: 'grpc', number: 5050 },
        { name: 'metrics', number: 9090 },
      ],
    });
    new Monitoring(stack, 'monitoring', { workload, metrics: { port: 9090 } });
    const objects = synth(stack);
    expect(one(objects, 'ServiceMonitor', 'api').spec.endpoints).toEqual([
      { port: 'metrics', path: '/metrics', interval: '30s', relabelings: SERVICE_LABEL('api') },
    ]);
    expect(all(objects, 'PodMonitor')).toEqual([]);
  });

  test('a WebService: a ServiceMonitor on its Service, the prometheus.io annotations, and only the monitoring namespace may scrape', () => {
    const objects = monitored();
    expect(one(objects, 'ServiceMonitor', 'api').spec).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      // Canary alarms select the new version's pods by this label.
      podTargetLabels: ['rollouts-pod-template-hash'],
      endpoints: [{ port: 'http', path: '/metrics', interval: '30s', relabelings: SERVICE_LABEL('api') }],
    });
    expect(one(objects, 'Service', 'api').metadata.labels['app.kubernetes.io/name']).toBe('api');
    expect(all(objects, 'PodMonitor')).toEqual([]);
    const deployment = one(objects, 'Deployment', 'api');
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8080',
      'prometheus.io/path': '/metrics',
    });
    expect(one(objects, 'NetworkPolicy', 'api-from-monitoring').spec).toEqual({
      podSelector: { matchLabels: deployment.spec.selector.matchLabels },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ port: 8080, protocol: 'TCP' }],
        },
      ],
    });
  });

  test('a Worker with a metrics port and the StatsD sidecar: a PodMonitor of both ports, labelled with the service', () => {
    const objects = monitored({ metrics: { port: 9100, path: '/stats' }, statsd: true }, true);
    const endpoint = (portNumber: number, path: string) => ({
      portNumber,
      path,
      interval: '30s',
      relabelings: [{ action: 'replace', targetLabel: 'service', replacement: 'orders' }],
    });
    expect(one(objects, 'PodMonitor', 'orders').spec.podTargetLabels).toEqual(['rollouts-pod-template-hash']);
    expect(one(objects, 'PodMonitor', 'orders').spec.podMetricsEndpoints).toEqual([
      endpoint(9100, '/stats'),
      endpoint(9102, '/metrics'),
    ]);
    expect(all(objects, 'ServiceMonitor')).toEqual([]);
    expect(one(objects, 'NetworkPolicy', 'orders-from-monitoring').spec.ingress[0].ports).toEqual([
      { port: 9100, protocol: 'TCP' },
      { port: 9102, protocol: 'TCP' },
    ]);
  });

  test('a workload without metrics is not scraped and gets no NetworkPolicy for it', () => {
    const objects = monitored({}, true);
    expect([...all(objects, 'PodMonitor'), ...all(objects, 'ServiceMonitor')]).toEqual([]);
    expect(objects.filter((o) => o.metadata.name === 'orders-from-monitoring')).toEqual([]);
  });
});

describe('sidecars', () => {
  test('StatsD and Fluent Bit run as native sidecars under the restricted profile, with the default resources', () => {
    const objects = monitored({ statsd: true, logs: { outputs: [LogOutput.stdout()] } });
    const pod = podSpec(one(objects, 'Deployment', 'api'));
    expect(pod.initContainers.map((c: any) => [c.name, c.image, c.restartPolicy])).toEqual([
      ['statsd-exporter', 'prom/statsd-exporter:v0.28.0', 'Always'],
      ['fluent-bit', 'fluent/fluent-bit:4.0.3', 'Always'],
    ]);
    for (const container of pod.initContainers) {
      expect(container.securityContext).toEqual({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        runAsUser: 65534,
        runAsGroup: 65534,
      });
      expect(container.resources).toEqual(pod.containers[0].resources);
    }
    expect(pod.containers[0].env).toEqual([
      { name: 'STATSD_HOST', value: '127.0.0.1' },
      { name: 'STATSD_PORT', value: '9125' },
    ]);
    // The app writes its log files where the sidecar reads them.
    expect(pod.containers[0].volumeMounts).toEqual([{ mountPath: '/var/log/app', name: 'app-logs' }]);
    expect(pod.initContainers[1].volumeMounts).toEqual([
      { mountPath: '/fluent-bit/etc', name: 'fluent-bit-config', readOnly: true },
      { mountPath: '/fluent-bit/state', name: 'fluent-bit-state' },
      { mountPath: '/var/log/app', name: 'app-logs', readOnly: true },
    ]);
    const config = one(objects, 'ConfigMap', 'api-fluent-bit').data['fluent-bit.yaml'];
    expect(checkFluentBitConfig(parseYaml(config))).toEqual([]);
    expect(pod.initContainers[1].args).toEqual(['--config', '/fluent-bit/etc/fluent-bit.yaml']);
  });

  test("an output password comes from its Secret into the environment; egress opens the outputs' ports only", () => {
    const objects = monitored({
      logs: {
        outputs: [
          LogOutput.elasticsearch({
            host: 'es.example.com',
            index: 'shop',
            auth: { user: 'u', password: { secretName: 'es', key: 'password' } },
          }),
        ],
      },
    });
    const sidecar = podSpec(one(objects, 'Deployment', 'api')).initContainers[0];
    expect(sidecar.env).toEqual([
      { name: 'ES_PASSWORD', valueFrom: { secretKeyRef: { name: 'es', key: 'password' } } },
    ]);
    expect(all(objects, 'Secret')).toEqual([]);
    expect(one(objects, 'NetworkPolicy', 'api-to-0-0-0-0-0').spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 9200, protocol: 'TCP' }] },
    ]);
  });
});

describe('alarms', () => {
  test('a WebService gets the four golden signals, each with its "no data" companion, in one PrometheusRule', () => {
    const rule = one(monitored(), 'PrometheusRule', 'api-alarms');
    expect(rule.spec.groups[0].name).toBe('shop.api');
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'ApiErrorRate',
      'ApiErrorRateNoData',
      'ApiLatencyP99',
      'ApiLatencyP99NoData',
      'ApiCpuSaturation',
      'ApiCpuSaturationNoData',
      'ApiRestarts',
      'ApiRestartsNoData',
    ]);
  });

  test('metric names per app, overrides, and signals left out', () => {
    const rule = one(
      monitored({
        metricNames: { requestsTotal: 'api_requests', statusLabel: 'status' },
        goldenSignals: {
          errorRate: { threshold: 0.01, severity: 'warning' },
          latency: false,
          saturation: false,
        },
        alarms: [
          Alarm.metric({ name: 'queue', metric: 'jobs_waiting{service="{{service}}"}', threshold: 10 }),
        ],
      }),
      'PrometheusRule',
    );
    const rules = rule.spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual([
      'ApiErrorRate',
      'ApiErrorRateNoData',
      'ApiRestarts',
      'ApiRestartsNoData',
      'ApiQueue',
      'ApiQueueNoData',
    ]);
    expect(rules[0].expr).toBe(
      '((sum(rate(api_requests{namespace="shop",service="api",status=~"5.."}[5m])) or vector(0)) / sum(rate(api_requests{namespace="shop",service="api"}[5m]))) > 0.01',
    );
    expect(rules[0].labels.severity).toBe('warning');
  });

  test("the strategy's own alarm replaces the golden signal of its name", () => {
    const rules = one(
      monitored({ alarms: [Alarm.latency({ thresholdSeconds: 0.3, evaluationPeriods: 1 })] }),
      'PrometheusRule',
    ).spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual([
      'ApiErrorRate',
      'ApiErrorRateNoData',
      'ApiCpuSaturation',
      'ApiCpuSaturationNoData',
      'ApiRestarts',
      'ApiRestartsNoData',
      'ApiLatencyP99',
      'ApiLatencyP99NoData',
    ]);
    expect(rules[6].expr).toMatch(/ > 0\.3$/);
  });

  test('a Worker has no HTTP signals', () => {
    const rules = one(monitored({}, true), 'PrometheusRule').spec.groups[0].rules;
    expect(rules.map((r: any) => r.alert)).toEqual([
      'OrdersCpuSaturation',
      'OrdersCpuSaturationNoData',
      'OrdersRestarts',
      'OrdersRestartsNoData',
    ]);
  });

  test.each([
    [
      'two alarms of one name',
      { alarms: [Alarm.errorRate({ threshold: 0.1 }), Alarm.errorRate({ threshold: 0.2 })] },
      'shop/monitoring: two alarms are named "error-rate". Give each alarm its own name',
    ],
    [
      'a scrape interval longer than a period',
      { scrapeInterval: '2m' },
      'shop/monitoring: alarm "error-rate" period "1m" is shorter than the scrape interval "2m", so some periods hold no sample. Make the period at least "2m", or scrape more often',
    ],
    [
      'a scrape interval Prometheus cannot parse',
      { scrapeInterval: 'often' },
      'shop/monitoring: scrapeInterval must be a duration like "30s" or "5m", got "often"',
    ],
    [
      'a metrics path without "/"',
      { metrics: { path: 'metrics' } },
      'shop/monitoring: metrics.path "metrics" does not start with "/". Write it like "/metrics"',
    ],
    [
      'a query with a syntax error',
      { alarms: [Alarm.metric({ name: 'bad', metric: 'rate(x[5m]', threshold: 1 })] },
      'shop/monitoring: alarm "bad" query is not valid PromQL: syntax error at line 1, column 11 (offset 10) of "rate(x[5m]". Fix the expression at that position',
    ],
  ])('%s is refused', (_label, props, message) => {
    expect(() => monitored(props as Partial<MonitoringProps>)).toThrow(message);
  });
});

describe('dashboards', () => {
  test('one per service, labelled for Grafana, with a panel per golden signal and its threshold', () => {
    const objects = monitored();
    const configMap = one(objects, 'ConfigMap', 'api-dashboard');
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(configMap.data['api-dashboard.json']);
    expect(dashboard).toMatchObject({ uid: 'shop-api', title: 'shop/api', editable: false });
    expect(dashboard.templating.list[0]).toMatchObject({
      name: 'datasource',
      type: 'datasource',
      query: 'prometheus',
    });
    expect(dashboard.panels.map((p: any) => p.title)).toEqual([
      'api: requests per second',
      'api: error-rate (alarm > 0.05)',
      'api: latency-p99 (alarm > 1)',
      'api: cpu-saturation (alarm > 0.9)',
      'api: restarts (alarm > 0)',
    ]);
    const errorRate = dashboard.panels[1];
    expect(errorRate.fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: 'green' },
      { value: 0.05, color: 'red' },
    ]);
    expect(errorRate.fieldConfig.defaults.unit).toBe('percentunit');
    expect(errorRate.targets[0].expr).toContain(
      'http_requests_total{namespace="shop",service="api",code=~"5.."}',
    );
    expect(dashboard.panels[0].gridPos).toEqual({ x: 0, y: 0, w: 12, h: 8 });
    expect(dashboard.panels[1].gridPos).toEqual({ x: 12, y: 0, w: 12, h: 8 });
  });

  test('one per stack, with a row per monitored workload, including workloads added after it', () => {
    const stack = testStack();
    const tier = stack.addTier('app');
    new StackDashboard(stack, 'dashboard');
    new Monitoring(stack, 'api', { workload: new WebService(tier, 'api', { image }) });
    new Monitoring(stack, 'orders', { workload: new Worker(tier, 'orders', { image }) });
    const dashboard = JSON.parse(
      one(synth(stack), 'ConfigMap', 'shop-stack-dashboard').data['shop-stack-dashboard.json'],
    );
    expect(dashboard.title).toBe('shop (shop)');
    expect(dashboard.panels.filter((p: any) => p.type === 'row').map((p: any) => p.title)).toEqual([
      'shop/api',
      'shop/orders',
    ]);
    expect(dashboard.panels.filter((p: any) => p.type === 'timeseries')).toHaveLength(7);
  });
});
