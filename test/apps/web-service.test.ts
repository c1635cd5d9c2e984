import { checkPolicies } from '../../lib/security/policy.js';
import { Size } from 'cdk8s';
import { ConfigMap } from '../../lib/apps/config-map.js';
import * as plus from '../../lib/core/plus.js';
import { ExistingSecret } from '../../lib/apps/existing-secret.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { WebService } from '../../lib/apps/web-service.js';
import type { WebServiceProps } from '../../lib/apps/web-service.js';
import { all, one, podSpec, synth, testChart, testStack } from '../util/synth.js';

const image = 'ghcr.io/acme/api:1.2.3';

test('a WebService is a Deployment of 2 behind a ClusterIP Service, running as its own ServiceAccount', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image });
  const objects = synth(chart);
  const deployment = one(objects, 'Deployment', 'api');
  const service = one(objects, 'Service', 'api');
  const serviceAccount = one(objects, 'ServiceAccount', 'api');

  expect(deployment.spec.replicas).toBe(2);
  expect(service.spec.type).toBe('ClusterIP');
  expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 8080 }]);
  expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  const pod = podSpec(deployment);
  expect(pod.serviceAccountName).toBe(serviceAccount.metadata.name);
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(serviceAccount.automountServiceAccountToken).toBe(false);
  expect(pod.containers[0].ports).toEqual([{ containerPort: 8080 }]);
  expect(deployment.spec.template.metadata.labels['app.kubernetes.io/name']).toBe('api');
});

test('pods run under Pod Security "restricted"', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image });
  const pod = podSpec(one(synth(chart), 'Deployment'));
  expect(pod.securityContext).toMatchObject({
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.containers[0].securityContext).toEqual({
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
  });
  expect(pod.hostNetwork).toBe(false);
});

test('default resources have requests and limits; custom ones replace them', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image });
  new WebService(chart, 'big', {
    image,
    resources: {
      cpu: { request: plus.Cpu.units(1), limit: plus.Cpu.units(2) },
      memory: { request: Size.gibibytes(1), limit: Size.gibibytes(2) },
    },
  });
  const objects = synth(chart);
  expect(podSpec(one(objects, 'Deployment', 'api')).containers[0].resources).toEqual({
    limits: { cpu: '500m', memory: '256Mi' },
    requests: { cpu: '100m', memory: '128Mi' },
  });
  expect(podSpec(one(objects, 'Deployment', 'big')).containers[0].resources).toEqual({
    limits: { cpu: '2', memory: '2048Mi' },
    requests: { cpu: '1', memory: '1024Mi' },
  });
});

test('probes: a TCP readiness check by default, HTTP checks when given', () => {
  const chart = testChart();
  new WebService(chart, 'plain', { image });
  new WebService(chart, 'checked', {
    image,
    port: 9000,
    readiness: HealthCheck.http('/ready'),
    liveness: HealthCheck.http('/healthz', { failureThreshold: 5, periodSeconds: 20 }),
    startup: HealthCheck.tcp(),
  });
  const objects = synth(chart);
  expect(podSpec(one(objects, 'Deployment', 'plain')).containers[0].readinessProbe).toEqual({
    failureThreshold: 3,
    tcpSocket: { port: 8080 },
  });
  const checked = podSpec(one(objects, 'Deployment', 'checked')).containers[0];
  expect(checked.readinessProbe.httpGet).toEqual({ path: '/ready', port: 9000, scheme: 'HTTP' });
  expect(checked.livenessProbe).toEqual({
    failureThreshold: 5,
    periodSeconds: 20,
    httpGet: { path: '/healthz', port: 9000, scheme: 'HTTP' },
  });
  expect(checked.startupProbe.tcpSocket).toEqual({ port: 9000 });
});

test('an Ingress with class, host, path and TLS routes to the Service', () => {
  const chart = testChart();
  new WebService(chart, 'web', {
    image,
    ingress: { host: 'shop.example.com', path: '/store', className: 'nginx', tlsSecretName: 'shop-tls' },
  });
  const ingress = one(synth(chart), 'Ingress', 'web');
  expect(ingress.spec.ingressClassName).toBe('nginx');
  expect(ingress.spec.tls).toEqual([{ hosts: ['shop.example.com'], secretName: 'shop-tls' }]);
  expect(ingress.spec.rules).toEqual([
    {
      host: 'shop.example.com',
      http: {
        paths: [
          { path: '/store', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
        ],
      },
    },
  ]);
});

test('autoscaling makes a HorizontalPodAutoscaler that owns the replica count', () => {
  const chart = testChart();
  new WebService(chart, 'api', {
    image,
    autoscaling: { minReplicas: 3, maxReplicas: 9, cpuUtilization: 60, memoryUtilization: 80 },
  });
  const objects = synth(chart);
  const hpa = one(objects, 'HorizontalPodAutoscaler', 'api');
  expect(hpa.spec).toMatchObject({
    minReplicas: 3,
    maxReplicas: 9,
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
  });
  expect(hpa.spec.metrics).toEqual([
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
    {
      type: 'Resource',
      resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } },
    },
  ]);
  expect(one(objects, 'Deployment').spec.replicas).toBeUndefined();
});

test('a PodDisruptionBudget keeps drains to one pod at a time, selecting the pods', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image });
  new WebService(chart, 'single', { image, replicas: 1 });
  const objects = synth(chart);
  const pdb = one(objects, 'PodDisruptionBudget', 'api');
  expect(pdb.spec.maxUnavailable).toBe(1);
  expect(pdb.spec.selector.matchLabels).toEqual(one(objects, 'Deployment', 'api').spec.selector.matchLabels);
  expect(all(objects, 'PodDisruptionBudget')).toHaveLength(1);
});

test('env from literals, ConfigMaps and Secrets', () => {
  const chart = testChart();
  const config = new ConfigMap(chart, 'config', { metadata: { name: 'api-config' }, data: { A: '1' } });
  const secret = new ExistingSecret(chart, 'db', { secretName: 'db-credentials' });
  new WebService(chart, 'api', { image, env: { LOG_LEVEL: 'debug' }, envFrom: [config, secret] });
  const container = podSpec(one(synth(chart), 'Deployment')).containers[0];
  expect(container.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
  expect(container.envFrom).toEqual([
    { configMapRef: { name: 'api-config' } },
    { secretRef: { name: 'db-credentials' } },
  ]);
});

test('writableTmp mounts an emptyDir at /tmp under the read-only root filesystem', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image, writableTmp: true });
  const pod = podSpec(one(synth(chart), 'Deployment'));
  expect(pod.volumes).toEqual([{ name: 'tmp', emptyDir: {} }]);
  expect(pod.containers[0].volumeMounts).toEqual([{ mountPath: '/tmp', name: 'tmp' }]);
});

test('pods spread across zones', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image });
  new WebService(chart, 'pinned', { image, spreadAcrossZones: false });
  const objects = synth(chart);
  const deployment = one(objects, 'Deployment', 'api');
  expect(podSpec(deployment).topologySpreadConstraints).toEqual([
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
    },
  ]);
  expect(podSpec(one(objects, 'Deployment', 'pinned')).topologySpreadConstraints).toBeUndefined();
});

test('a LoadBalancer Service needs a reason, which is recorded as the policy waiver', () => {
  const chart = testChart();
  new WebService(chart, 'edge', {
    image,
    loadBalancer: { reason: 'TCP passthrough for the payment terminal' },
  });
  const service = one(synth(chart), 'Service', 'edge');
  expect(service.spec.type).toBe('LoadBalancer');
  expect(service.metadata.annotations).toEqual({
    'policy.cdk8s-devops.io/waive-load-balancer': 'TCP passthrough for the payment terminal',
  });
});

describe('validation', () => {
  const cases: [string, () => void, string][] = [
    [
      'a name that is not DNS-1123',
      () => new WebService(testChart(), 'Api_Server', { image }),
      'test/Api_Server: name must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Api_Server". Rename it, for example to "api-server"',
    ],
    [
      'negative replicas',
      () => new WebService(testChart(), 'api', { image, replicas: -1 }),
      'test/api: replicas must be a whole number 0 or more, got -1. Set replicas to 0 or a positive whole number',
    ],
    [
      'autoscaling min above max',
      () => new WebService(testChart(), 'api', { image, autoscaling: { minReplicas: 5, maxReplicas: 3 } }),
      'test/api: autoscaling.minReplicas (5) is greater than autoscaling.maxReplicas (3). Make minReplicas at most maxReplicas',
    ],
    [
      'a port out of range',
      () => new WebService(testChart(), 'api', { image, port: 70000 }),
      'test/api: port must be a whole number between 1 and 65535, got 70000. Use a port between 1 and 65535',
    ],
    [
      'a service port out of range',
      () => new WebService(testChart(), 'api', { image, servicePort: 0 }),
      'test/api: servicePort must be a whole number between 1 and 65535, got 0. Use a port between 1 and 65535',
    ],
    [
      'a probe of a port the container does not expose',
      () =>
        new WebService(testChart(), 'api', { image, liveness: HealthCheck.http('/healthz', { port: 9090 }) }),
      'test/api: liveness check of container "api" probes port 9090, which the container does not expose (its ports: 8080). Probe port 8080, or give the container port 9090',
    ],
    [
      'an image without tag or digest',
      () => new WebService(testChart(), 'api', { image: 'ghcr.io/acme/api' }),
      'test/api: image "ghcr.io/acme/api" has no tag or digest, so it runs the moving tag "latest". Pin the version tag or digest you run ("ghcr.io/acme/api:<version>" or "ghcr.io/acme/api@sha256:<digest>"), or set allowLatestImage: true to accept unrepeatable rollouts',
    ],
    [
      'the latest tag',
      () => new WebService(testChart(), 'api', { image: 'ghcr.io/acme/api:latest' }),
      'test/api: image "ghcr.io/acme/api:latest" uses the moving tag "latest". Pin the version tag or digest you run ("ghcr.io/acme/api:<version>" or "ghcr.io/acme/api@sha256:<digest>"), or set allowLatestImage: true to accept unrepeatable rollouts',
    ],
  ];
  test.each(cases)('%s is refused', (_name, build, message) => {
    expect(build).toThrow(new Error(message));
  });

  test('latest is accepted when explicitly allowed, and a registry port is not a tag', () => {
    const chart = testChart();
    new WebService(chart, 'a', { image: 'ghcr.io/acme/api:latest', allowLatestImage: true });
    expect(one(synth(chart), 'Deployment', 'a').metadata.annotations).toEqual({
      'policy.cdk8s-devops.io/waive-image-pinned': 'allowLatestImage is set on test/a',
    });
    expect(checkPolicies(chart)).toEqual([]);
    expect(() => new WebService(chart, 'b', { image: 'registry.local:5000/api' })).toThrow(
      'image "registry.local:5000/api" has no tag or digest',
    );
    new WebService(chart, 'c', { image: 'registry.local:5000/api@sha256:' + 'a'.repeat(64) });
  });
});

describe('health checks', () => {
  const probes = (props: Partial<WebServiceProps>) => {
    const chart = testChart();
    new WebService(chart, 'api', { image: 'ghcr.io/acme/api:1.0.0', ...props });
    const container = one(synth(chart), 'Deployment').spec.template.spec.containers[0];
    return {
      readiness: container.readinessProbe,
      liveness: container.livenessProbe,
      startup: container.startupProbe,
    };
  };

  test('no hidden probe: a TCP readiness check of the port by default, and nothing else', () => {
    expect(probes({})).toEqual({
      readiness: { failureThreshold: 3, tcpSocket: { port: 8080 } },
      liveness: undefined,
      startup: undefined,
    });
  });

  test('HTTP (with its scheme), TCP and exec checks, each with every timing setting', () => {
    const timing = {
      initialDelaySeconds: 5,
      periodSeconds: 7,
      timeoutSeconds: 2,
      failureThreshold: 4,
      successThreshold: 2,
    };
    expect(
      probes({
        readiness: HealthCheck.http('/ready', { scheme: 'HTTPS', ...timing }),
        liveness: HealthCheck.exec(['cat', '/tmp/healthy'], { periodSeconds: 30 }),
        startup: HealthCheck.tcp({ failureThreshold: 30, periodSeconds: 1 }),
      }),
    ).toEqual({
      readiness: { httpGet: { path: '/ready', port: 8080, scheme: 'HTTPS' }, ...timing },
      liveness: { exec: { command: ['cat', '/tmp/healthy'] }, failureThreshold: 3, periodSeconds: 30 },
      startup: { tcpSocket: { port: 8080 }, failureThreshold: 30, periodSeconds: 1 },
    });
  });
});

describe('pod settings', () => {
  test('groups, grace period, pod labels and annotations reach the pod template', () => {
    const chart = testChart();
    new WebService(chart, 'api', {
      image: 'ghcr.io/acme/api:1.0.0',
      runAsUser: 1000,
      runAsGroup: 3000,
      fsGroup: 2000,
      terminationGracePeriodSeconds: 90,
      podLabels: { team: 'payments' },
      podAnnotations: { 'prometheus.io/scrape': 'true' },
    });
    const template = one(synth(chart), 'Deployment').spec.template;
    expect(template.metadata).toEqual({
      labels: {
        team: 'payments',
        'app.kubernetes.io/name': 'api',
        'cdk8s.io/metadata.addr': 'test-api-c855049c',
      },
      annotations: { 'prometheus.io/scrape': 'true' },
    });
    expect(template.spec.securityContext).toEqual({
      fsGroup: 2000,
      fsGroupChangePolicy: 'Always',
      runAsGroup: 3000,
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(template.spec.terminationGracePeriodSeconds).toBe(90);
  });

  test('pod labels may not take over the labels that select the pods', () => {
    expect(
      () =>
        new WebService(testStack().addTier('web'), 'api', {
          image: 'ghcr.io/acme/api:1.0.0',
          podLabels: { 'app.kubernetes.io/name': 'other', 'app.kubernetes.io/component': 'db' },
        }),
    ).toThrow(
      new Error(
        'shop/web/api: podLabels sets "app.kubernetes.io/name", "app.kubernetes.io/component", which the library sets to select the pods. Leave it out: the name comes from the name prop, the tier labels from the tier',
      ),
    );
  });
});
