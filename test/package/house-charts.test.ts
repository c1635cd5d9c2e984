import { PlatformChart, ServiceChart } from '../../charts/index.js';
import { DeploymentStrategy, NotificationTarget } from '../../lib/index.js';
import type { Obj } from '../util/synth.js';
import { all, one, podSpec, synth, testApp } from '../util/synth.js';

const PAYMENTS = { namespace: 'payments', image: 'ghcr.io/acme/payments', tag: '2.3.1' };

test('ServiceChart: a WebService with its tag, replicas, resources, domain and a rolling update that keeps capacity', () => {
  const objects = synth(
    new ServiceChart(testApp(), 'payments', {
      ...PAYMENTS,
      replicas: 3,
      maxReplicas: 6,
      domain: 'pay.example.com',
      cpuMillis: 500,
      memoryMebibytes: 512,
    }),
  );
  const deployment = one(objects, 'Deployment', 'payments');
  expect(deployment.metadata.namespace).toBe('payments');
  expect(deployment.spec.strategy).toEqual({
    type: 'RollingUpdate',
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
  });
  const [container] = podSpec(deployment).containers;
  expect(container.image).toBe('ghcr.io/acme/payments:2.3.1');
  expect(container.resources).toEqual({
    requests: { cpu: '500m', memory: '512Mi' },
    limits: { cpu: '500m', memory: '512Mi' },
  });
  expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
  expect(one(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 3, maxReplicas: 6 });
  expect(one(objects, 'Ingress').spec.rules[0].host).toBe('pay.example.com');
  expect(one(objects, 'Ingress').spec.tls).toEqual([
    { hosts: ['pay.example.com'], secretName: 'pay-example-com-tls' },
  ]);
});

test("ServiceChart: port and replicas are the WebService's by default, and the autoscaler's fewest pods too", () => {
  const fixed = synth(new ServiceChart(testApp(), 'payments', PAYMENTS));
  const deployment = one(fixed, 'Deployment', 'payments');
  expect(deployment.spec.replicas).toBe(2);
  expect(podSpec(deployment).containers[0].ports).toEqual([{ containerPort: 8080 }]);
  expect(one(fixed, 'Service', 'payments').spec.ports).toEqual([
    { name: 'http', port: 80, targetPort: 8080 },
  ]);
  const scaled = synth(new ServiceChart(testApp(), 'payments', { ...PAYMENTS, maxReplicas: 5 }));
  expect(one(scaled, 'Deployment', 'payments').spec.replicas).toBeUndefined();
  expect(one(scaled, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 5 });
});

test('ServiceChart: a canary rolled back by the alarms, and a digest instead of a tag', () => {
  const objects = synth(
    new ServiceChart(testApp(), 'payments', {
      ...PAYMENTS,
      tag: `sha256:${'a'.repeat(64)}`,
      strategy: 'canary',
      alarms: { errorRate: 0.01 },
    }),
  );
  const rollout = one(objects, 'Rollout', 'payments');
  expect(rollout.spec.strategy.canary.steps.map((step: object) => Object.keys(step)[0])).toEqual([
    'setWeight',
    'pause',
    'analysis', // the promotion waits for the alarms' measurements
  ]);
  expect(rollout.spec.strategy.canary.steps[0]).toEqual({ setWeight: 20 });
  for (const name of ['payments-alarms', 'payments-step-3']) {
    const template = one(objects, 'AnalysisTemplate', name);
    expect(template.spec.metrics).toHaveLength(2); // error rate and latency
    expect(JSON.stringify(template.spec.metrics[0])).toContain('0.01');
  }
  expect(podSpec(one(objects, 'Deployment')).containers[0].image).toBe(
    `ghcr.io/acme/payments@sha256:${'a'.repeat(64)}`,
  );
});

test('ServiceChart: any DeploymentStrategy, and an unknown strategy name is an error', () => {
  const objects = synth(
    new ServiceChart(testApp(), 'payments', { ...PAYMENTS, strategy: DeploymentStrategy.allAtOnce() }),
  );
  expect(one(objects, 'Deployment').spec.strategy).toEqual({ type: 'Recreate' });
  expect(
    () => new ServiceChart(testApp(), 'payments', { ...PAYMENTS, strategy: 'big-bang' as 'canary' }),
  ).toThrow(
    'payments: strategy must be one of "rolling", "all-at-once", "canary", "blue-green" or a DeploymentStrategy, got "big-bang". Use one of them',
  );
});

test('PlatformChart: a restricted namespace, default deny, a quota with container defaults, and scrape access', () => {
  const objects = synth(
    new PlatformChart(testApp(), 'team', { namespace: 'payments', quota: { cpu: '8', pods: 60 } }),
  );
  const namespace = one(objects, 'Namespace');
  expect(namespace.metadata.name).toBe('payments');
  expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  expect(one(objects, 'ResourceQuota').spec.hard).toEqual({
    'requests.cpu': '8',
    'limits.cpu': '8',
    'requests.memory': '8Gi',
    'limits.memory': '8Gi',
    pods: 60,
  });
  expect(one(objects, 'LimitRange').spec.limits).toEqual([
    {
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '128Mi' },
      default: { cpu: '500m', memory: '256Mi' },
    },
  ]);
  const policies = all(objects, 'NetworkPolicy').map((p) => p.metadata.name);
  expect(policies).toEqual(expect.arrayContaining(['default-deny', 'allow-dns', 'allow-prometheus-scrape']));
  expect(one(objects, 'NetworkPolicy', 'allow-prometheus-scrape').spec.ingress).toEqual([
    { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
  ]);
});

test('PlatformChart: quantities are checked', () => {
  expect(
    () => new PlatformChart(testApp(), 'team', { namespace: 'payments', quota: { memory: '8 GB' } }),
  ).toThrow(
    'team: quota.memory must be a Kubernetes quantity such as "4", "500m" or "8Gi", got "8 GB". Fix it',
  );
  expect(() => new PlatformChart(testApp(), 'team', { namespace: 'payments', quota: { pods: 0 } })).toThrow(
    'team: quota.pods must be a whole number 1 or more, got 0. Fix it',
  );
});

const BUILDSPEC = `version: 0.2
phases:
  install:
    commands:
      - npm ci
  build:
    commands:
      - npm test
reports:
  unit:
    files: ["junit.xml"]
    file-format: JUNITXML
`;
const BUILD = {
  repository: 'https://github.com/acme/payments.git',
  image: 'docker.io/library/node:22.11.0-bookworm',
  buildSpec: BUILDSPEC,
};

test('ServiceChart: monitored by default, the alarms that roll a canary back alerting too, with a dashboard', () => {
  const objects = synth(
    new ServiceChart(testApp(), 'payments', { ...PAYMENTS, strategy: 'canary', alarms: { errorRate: 0.01 } }),
  );
  expect(one(objects, 'ServiceMonitor', 'payments').spec).toEqual({
    selector: { matchLabels: { 'app.kubernetes.io/name': 'payments' } },
    podTargetLabels: ['rollouts-pod-template-hash'],
    endpoints: [
      {
        port: 'http',
        path: '/metrics',
        interval: '30s',
        relabelings: [{ targetLabel: 'service', replacement: 'payments', action: 'replace' }],
      },
    ],
  });
  expect(one(objects, 'NetworkPolicy', 'payments-from-monitoring').spec.ingress).toEqual([
    {
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    },
  ]);
  const [group] = one(objects, 'PrometheusRule', 'payments-alarms').spec.groups;
  expect(group.name).toBe('payments.payments');
  expect(group.rules.map((r: { alert: string }) => r.alert)).toEqual([
    'PaymentsCpuSaturation',
    'PaymentsCpuSaturationNoData',
    'PaymentsRestarts',
    'PaymentsRestartsNoData',
    'PaymentsErrorRate',
    'PaymentsErrorRateNoData',
    'PaymentsLatencyP99',
    'PaymentsLatencyP99NoData',
  ]);
  // The canary's error-rate alarm (1%, not the golden signal's 5%) is the alert's.
  const errorRate = group.rules.find((r: { alert: string }) => r.alert === 'PaymentsErrorRate');
  expect(errorRate.expr).toBe(
    '((sum(rate(http_requests_total{namespace="payments",service="payments",code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{namespace="payments",service="payments"}[5m]))) > 0.01',
  );
  expect(errorRate.labels).toEqual({
    severity: 'critical',
    namespace: 'payments',
    service: 'payments',
    alarm: 'error-rate',
  });
  const analysis = one(objects, 'AnalysisTemplate', 'payments-alarms').spec.metrics;
  expect(analysis.map((m: { name: string }) => m.name)).toEqual(['error-rate', 'latency-p99']);
  const dashboard = one(objects, 'ConfigMap', 'payments-dashboard');
  expect(dashboard.metadata.labels).toEqual({ grafana_dashboard: '1' });
  const json = JSON.parse(dashboard.data['payments-dashboard.json']);
  expect(json.uid).toBe('payments-payments');
  expect(json.panels.map((p: { title: string }) => p.title)).toEqual([
    'payments: requests per second',
    'payments: cpu-saturation (alarm > 0.9)',
    'payments: restarts (alarm > 0)',
    'payments: error-rate (alarm > 0.01)',
    'payments: latency-p99 (alarm > 0.5)',
  ]);
  expect(all(objects, 'Task')).toEqual([]);
  expect(all(objects, 'Pipeline')).toEqual([]);
});

test('ServiceChart: metrics on their own port are scraped from the pods; monitoring false leaves it out', () => {
  const objects = synth(
    new ServiceChart(testApp(), 'payments', {
      ...PAYMENTS,
      monitoring: { metricsPort: 9090, metricsPath: '/prometheus' },
    }),
  );
  expect(all(objects, 'ServiceMonitor')).toEqual([]);
  expect(one(objects, 'PodMonitor', 'payments').spec.podMetricsEndpoints).toEqual([
    {
      portNumber: 9090,
      path: '/prometheus',
      interval: '30s',
      relabelings: [{ targetLabel: 'service', replacement: 'payments', action: 'replace' }],
    },
  ]);
  expect(podSpecAnnotations(one(objects, 'Deployment'))).toMatchObject({
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '9090',
    'prometheus.io/path': '/prometheus',
  });

  const bare = synth(new ServiceChart(testApp(), 'payments', { ...PAYMENTS, monitoring: false }));
  expect(
    bare.filter((o) => ['ServiceMonitor', 'PodMonitor', 'PrometheusRule', 'ConfigMap'].includes(o.kind)),
  ).toEqual([]);
  expect(
    () => new ServiceChart(testApp(), 'payments', { ...PAYMENTS, monitoring: { metricsPath: 'metrics' } }),
  ).toThrow('payments/Monitoring: metrics.path "metrics" does not start with "/". Write it like "/metrics"');
});

function podSpecAnnotations(workload: Obj) {
  return workload.spec.template.metadata.annotations;
}

test('ServiceChart: a repository gives a fetch-and-build pipeline whose pods may reach git and registries only', () => {
  const chart = new ServiceChart(testApp(), 'payments', { ...PAYMENTS, build: BUILD });
  const objects = synth(chart);
  expect(chart.buildPipeline?.pipelineName).toBe('payments-build');
  expect(all(objects, 'Task').map((t) => t.metadata.name)).toEqual(['payments-source', 'payments-build']);
  expect(one(objects, 'Task', 'payments-source').spec.params).toEqual([
    { name: 'url', type: 'string', description: 'The repository', default: BUILD.repository },
    { name: 'revision', type: 'string', description: 'A branch, tag or commit', default: 'main' },
  ]);
  const build = one(objects, 'Task', 'payments-build').spec;
  expect(build.steps.map((s: { name: string; image: string }) => `${s.name} ${s.image}`)).toEqual([
    `install ${BUILD.image}`,
    `build ${BUILD.image}`,
    `finish ${BUILD.image}`,
  ]);
  // A fetch and a build fit a PlatformChart's default quota beside the service.
  expect(build.steps[1].computeResources).toEqual({
    requests: { cpu: '250m', memory: '512Mi' },
    limits: { cpu: '1', memory: '1Gi' },
  });
  expect(one(objects, 'Pipeline', 'payments-build').spec).toEqual({
    description: 'Release pipeline: source -> build',
    params: [{ name: 'revision', type: 'string', description: 'The revision to release', default: 'main' }],
    workspaces: [{ name: 'source' }],
    tasks: [
      {
        name: 'fetch',
        taskRef: { kind: 'Task', name: 'payments-source' },
        params: [{ name: 'revision', value: '$(params.revision)' }],
        workspaces: [{ name: 'output', workspace: 'source' }],
      },
      {
        name: 'build',
        taskRef: { kind: 'Task', name: 'payments-build' },
        runAfter: ['fetch'],
        params: [{ name: 'source-version', value: '$(tasks.fetch.results.commit)' }],
        workspaces: [
          { name: 'source', workspace: 'source' },
          { name: 'artifacts', workspace: 'source' },
        ],
      },
    ],
  });
  expect(one(objects, 'NetworkPolicy', 'payments-build-egress').spec).toEqual({
    podSelector: { matchLabels: { 'tekton.dev/pipeline': 'payments-build' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 22, protocol: 'TCP' },
        ],
      },
    ],
  });
  const run = chart.buildPipeline!.runSpec({ revision: 'v2.3.1' });
  expect(run.taskRunSpecs).toEqual([
    { pipelineTaskName: 'fetch', serviceAccountName: 'payments-source-git' },
    { pipelineTaskName: 'build', serviceAccountName: 'payments-build-build' },
  ]);
});

test('ServiceChart: build credentials follow the URL, and a bad buildspec names the chart', () => {
  const ssh = synth(
    new ServiceChart(testApp(), 'payments', {
      ...PAYMENTS,
      build: {
        ...BUILD,
        repository: 'git@github.com:acme/payments.git',
        credentialsSecret: 'git-ssh',
        branch: 'trunk',
      },
    }),
  );
  const source = one(ssh, 'Task', 'payments-source').spec;
  expect(source.workspaces).toEqual([
    { name: 'output', description: 'Where the revision is checked out' },
    { name: 'ssh-directory', readOnly: true },
  ]);
  expect(one(ssh, 'Pipeline').spec.params[0].default).toBe('trunk');
  const https = synth(
    new ServiceChart(testApp(), 'payments', {
      ...PAYMENTS,
      build: { ...BUILD, credentialsSecret: 'git-basic' },
    }),
  );
  expect(one(https, 'Task', 'payments-source').spec.workspaces[1]).toEqual({
    name: 'basic-auth',
    readOnly: true,
  });

  expect(
    () =>
      new ServiceChart(testApp(), 'payments', {
        ...PAYMENTS,
        build: {
          ...BUILD,
          buildSpec: 'version: 0.2\nphases:\n  build:\n    run-as: root\n    commands: [make]\n',
        },
      }),
  ).toThrow(
    'payments build.buildSpec: phases.build.run-as has no Kubernetes meaning. Builds run as a non-root user under Pod Security "restricted"; remove run-as',
  );
});

test('PlatformChart: shared monitoring: Prometheus discovery, the namespace alarms and their dashboard', () => {
  const objects = synth(new PlatformChart(testApp(), 'team', { namespace: 'payments' }));
  expect(one(objects, 'Role', 'prometheus-discovery').rules).toEqual([
    { apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
  ]);
  const binding = one(objects, 'RoleBinding', 'prometheus-discovery');
  expect(binding.roleRef).toEqual({
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'Role',
    name: 'prometheus-discovery',
  });
  expect(binding.subjects).toEqual([
    { kind: 'ServiceAccount', name: 'prometheus-k8s', namespace: 'monitoring' },
  ]);
  const [group] = one(objects, 'PrometheusRule', 'namespace-alarms').spec.groups;
  expect(group.name).toBe('payments.namespace');
  expect(group.rules.map((r: { alert: string }) => r.alert)).toEqual([
    'NamespaceQuota',
    'NamespaceQuotaNoData',
    'NamespaceCrashLooping',
    'NamespacePodsPending',
  ]);
  expect(group.rules[0]).toMatchObject({
    expr: '(max(kube_resourcequota{namespace="payments",type="used"} / ignoring(type) kube_resourcequota{namespace="payments",type="hard"})) > 0.9',
    labels: { severity: 'warning', namespace: 'payments', service: 'namespace', alarm: 'quota' },
  });
  expect(group.rules[3]).toMatchObject({
    expr: '(sum(kube_pod_status_phase{namespace="payments",phase="Pending"})) > 0',
    for: '9m',
  });
  const dashboard = JSON.parse(
    one(objects, 'ConfigMap', 'namespace-dashboard').data['namespace-dashboard.json'],
  );
  expect([dashboard.uid, dashboard.title]).toEqual(['payments-namespace', 'payments (namespace)']);
  expect(dashboard.panels.map((p: { title: string }) => p.title)).toEqual([
    'namespace: quota (alarm > 0.9)',
    'namespace: crash-looping (alarm > 3)',
    'namespace: pods-pending (alarm > 0)',
  ]);
  expect(all(objects, 'AlertmanagerConfig')).toEqual([]);

  const unmonitored = synth(
    new PlatformChart(testApp(), 'team', { namespace: 'payments', monitoring: false }),
  );
  expect(unmonitored.filter((o) => o.kind === 'PrometheusRule' || o.kind === 'ConfigMap')).toEqual([]);
});

test('PlatformChart: the namespace alerts routed by severity, and where Prometheus runs', () => {
  const objects = synth(
    new PlatformChart(testApp(), 'team', {
      namespace: 'payments',
      prometheusNamespace: 'observability',
      prometheusServiceAccount: 'prometheus',
      alerts: {
        critical: [NotificationTarget.webhook({ secretName: 'alerting', key: 'pager-url' })],
        warning: [
          NotificationTarget.slack({
            apiUrl: { secretName: 'alerting', key: 'slack' },
            channel: '#payments',
          }),
        ],
      },
    }),
  );
  expect(one(objects, 'RoleBinding').subjects).toEqual([
    { kind: 'ServiceAccount', name: 'prometheus', namespace: 'observability' },
  ]);
  expect(one(objects, 'NetworkPolicy', 'allow-prometheus-scrape').spec.ingress).toEqual([
    { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } } }] },
  ]);
  const routing = one(objects, 'AlertmanagerConfig', 'alert-routing').spec;
  expect(routing.route.routes).toEqual([
    { receiver: 'critical', matchers: [{ name: 'severity', value: 'critical', matchType: '=' }] },
    { receiver: 'warning', matchers: [{ name: 'severity', value: 'warning', matchType: '=' }] },
  ]);
  expect(routing.receivers.map((r: { name: string }) => r.name)).toEqual(['unrouted', 'critical', 'warning']);
  expect(routing.receivers[1].webhookConfigs).toEqual([
    { urlSecret: { name: 'alerting', key: 'pager-url' }, sendResolved: true },
  ]);
});
