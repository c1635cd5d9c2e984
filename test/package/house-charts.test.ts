import { PlatformChart, ServiceChart } from '../../charts/index.js';
import { DeploymentStrategy } from '../../lib/index.js';
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
  expect(rollout.spec.strategy.canary.steps[0]).toEqual({ setWeight: 20 });
  const template = one(objects, 'AnalysisTemplate');
  expect(template.spec.metrics).toHaveLength(2); // error rate and latency
  expect(JSON.stringify(template.spec.metrics[0])).toContain('0.01');
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
