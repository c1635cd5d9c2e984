import { Size } from 'cdk8s';
import { AppStack } from '../../lib/apps/app-stack.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { ServiceKind } from '../../lib/apps/service-kind.js';
import type { StatefulServiceProps } from '../../lib/apps/stateful-service.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import { checkPolicies } from '../../lib/security/policy.js';
import { all, one, podSpec, synth, testApp, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/redis:7.2.4';
const redisPort = [{ name: 'redis', number: 6379, appProtocol: 'redis' }];

test('a StatefulService is a StatefulSet of one behind a headless Service named like it, selected by name', () => {
  const chart = testChart();
  const redis = new StatefulService(chart, 'redis', { image, ports: redisPort });
  const objects = synth(chart);
  const statefulSet = one(objects, 'StatefulSet', 'redis');
  expect(statefulSet.spec).toMatchObject({
    replicas: 1,
    serviceName: 'redis',
    podManagementPolicy: 'OrderedReady',
    selector: { matchLabels: { 'app.kubernetes.io/name': 'redis' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
  });
  expect(statefulSet.spec.volumeClaimTemplates).toBeUndefined();
  expect(one(objects, 'Service', 'redis').spec).toEqual({
    type: 'ClusterIP',
    clusterIP: 'None',
    externalIPs: [],
    ports: [{ appProtocol: 'redis', name: 'redis', port: 6379, targetPort: 6379 }],
    selector: { 'app.kubernetes.io/name': 'redis' },
  });
  expect(all(objects, 'Service')).toHaveLength(1);
  // One replica: a disruption budget would block every drain.
  expect(all(objects, 'PodDisruptionBudget')).toEqual([]);
  expect(redis.servicePort).toBe(6379);
  expect(redis.replicas).toBe(1);
});

test('its pods run under the same secure defaults as every workload', () => {
  const chart = testChart();
  new StatefulService(chart, 'redis', { image, ports: redisPort, runAsUser: 999, fsGroup: 999 });
  const objects = synth(chart);
  const pod = podSpec(one(objects, 'StatefulSet'));
  expect(pod.securityContext).toEqual({
    fsGroup: 999,
    fsGroupChangePolicy: 'Always',
    runAsNonRoot: true,
    runAsUser: 999,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  expect(pod.containers[0].securityContext).toEqual({
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 999,
  });
  // A database's defaults, not a web service's (test/apps/databases.test.ts).
  expect(pod.containers[0].resources).toEqual({
    limits: { cpu: '1', memory: '1024Mi' },
    requests: { cpu: '250m', memory: '512Mi' },
  });
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.serviceAccountName).toBe('redis');
  expect(one(objects, 'ServiceAccount', 'redis').automountServiceAccountToken).toBe(false);
  expect(checkPolicies(chart)).toEqual([]);
});

test('volume claim templates, each mounted writable in the container beside its other mounts', () => {
  const chart = testChart();
  new StatefulService(chart, 'db', {
    image,
    port: 5432,
    writableTmp: true,
    volumeClaims: [
      { name: 'data', mountPath: '/var/lib/postgresql/data', storage: Size.gibibytes(10) },
      {
        name: 'wal',
        mountPath: '/wal',
        storage: Size.mebibytes(512),
        storageClassName: 'fast',
        accessModes: ['ReadWriteOncePod'],
      },
    ],
  });
  const statefulSet = one(synth(chart), 'StatefulSet', 'db');
  expect(statefulSet.spec.volumeClaimTemplates).toEqual([
    {
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } },
    },
    {
      metadata: { name: 'wal' },
      spec: {
        accessModes: ['ReadWriteOncePod'],
        resources: { requests: { storage: '512Mi' } },
        storageClassName: 'fast',
      },
    },
  ]);
  const pod = podSpec(statefulSet);
  expect(pod.containers[0].volumeMounts).toEqual([
    { mountPath: '/tmp', name: 'tmp' },
    { mountPath: '/var/lib/postgresql/data', name: 'data' },
    { mountPath: '/wal', name: 'wal' },
  ]);
  // The StatefulSet controller adds the claims' volumes to each pod; the template lists only its own.
  expect(pod.volumes).toEqual([{ emptyDir: {}, name: 'tmp' }]);
});

test('a claim of a size that is not whole MiB, mounted in a container named by containerName, with no readiness check', () => {
  const chart = testChart();
  new StatefulService(chart, 'db', {
    image,
    port: 5432,
    containerName: 'postgres',
    readiness: HealthCheck.none(),
    volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.kibibytes(1536) }],
  });
  const statefulSet = one(synth(chart), 'StatefulSet', 'db');
  expect(statefulSet.spec.volumeClaimTemplates[0].spec.resources).toEqual({
    requests: { storage: '1536Ki' },
  });
  const container = podSpec(statefulSet).containers[0];
  expect(container.name).toBe('postgres');
  expect(container.volumeMounts).toEqual([{ mountPath: '/data', name: 'data' }]);
  expect(container.readinessProbe).toBeUndefined();
});

test('parallel pod management, replicas with a disruption budget, and a ClusterIP Service for clients', () => {
  const stack = new AppStack(testApp(), 'shop', { namespace: 'shop' });
  const cache = new StatefulService(stack.addTier('data'), 'cache', {
    image,
    ports: [
      { name: 'redis', number: 6379 },
      { name: 'gossip', number: 16379 },
    ],
    replicas: 3,
    podManagement: 'parallel',
    disruptionBudget: { maxUnavailable: 2 },
    additionalServices: [{ name: 'cache-clients', ports: ['redis'] }],
  });
  const objects = synth(stack);
  const statefulSet = one(objects, 'StatefulSet', 'cache');
  expect(statefulSet.spec.replicas).toBe(3);
  expect(statefulSet.spec.podManagementPolicy).toBe('Parallel');
  expect(one(objects, 'PodDisruptionBudget', 'cache').spec).toEqual({
    maxUnavailable: 2,
    selector: { matchLabels: { 'app.kubernetes.io/name': 'cache' } },
  });
  expect(one(objects, 'Service', 'cache-clients').spec).toEqual({
    type: 'ClusterIP',
    externalIPs: [],
    ports: [{ name: 'redis', port: 6379, targetPort: 6379 }],
    selector: { 'app.kubernetes.io/name': 'cache' },
  });
  expect(cache.additionalServices.map((s) => s.name)).toEqual(['cache-clients']);
  expect(statefulSet.spec.template.metadata.labels).toMatchObject({
    'app.kubernetes.io/name': 'cache',
    'app.kubernetes.io/component': 'data',
  });
  // Its members reach each other only when allowed, as any workload.
  cache.allowFrom(cache);
  expect(one(synth(stack), 'NetworkPolicy', 'cache-from-cache').spec.ingress[0].ports).toEqual([
    { port: 6379, protocol: 'TCP' },
    { port: 16379, protocol: 'TCP' },
  ]);
});

test('with port alone the Service exposes it on the same port, unless servicePort says otherwise; a ClusterIP Service may name the pods', () => {
  const chart = testChart();
  new StatefulService(chart, 'plain', { image, port: 6379 });
  new StatefulService(chart, 'mapped', {
    image,
    port: 6379,
    servicePort: 7000,
    serviceKind: ServiceKind.clusterIp(),
  });
  const objects = synth(chart);
  expect(one(objects, 'Service', 'plain').spec.ports).toEqual([
    { name: 'http', port: 6379, targetPort: 6379 },
  ]);
  const mapped = one(objects, 'Service', 'mapped').spec;
  expect(mapped.ports).toEqual([{ name: 'http', port: 7000, targetPort: 6379 }]);
  expect(mapped.clusterIP).toBeUndefined();
});

test('moving it to another tier and renaming its construct id keeps its names and selectors', () => {
  const build = (tier: string, id: string) => {
    const stack = new AppStack(testApp(), 'shop', { namespace: 'shop' });
    new StatefulService(stack.addTier(tier), id, { name: 'redis', image, ports: redisPort });
    const objects = synth(stack);
    return {
      statefulSet: one(objects, 'StatefulSet', 'redis').spec.selector,
      service: one(objects, 'Service', 'redis').spec.selector,
    };
  };
  expect(build('data', 'redis')).toEqual(build('cache', 'session-store'));
});

describe('validation', () => {
  const stateful = (props: Partial<StatefulServiceProps>) => () =>
    new StatefulService(testChart(), 'db', { image, port: 5432, ...props });
  const cases: [string, () => void, string][] = [
    [
      'no port',
      stateful({ port: undefined }),
      'test/db: a StatefulService needs a port for its Service. Set port, or ports with the main port first',
    ],
    [
      'negative replicas',
      stateful({ replicas: -1 }),
      'test/db: replicas must be a whole number 0 or more, got -1. Set replicas to 0 or a positive whole number',
    ],
    [
      'an unknown pod management',
      stateful({ podManagement: 'random' as never }),
      'test/db: podManagement must be one of "ordered", "parallel", got "random". Use "ordered" to start the pods one after another, "parallel" to start them all at once',
    ],
    [
      'a load balancer naming the pods',
      stateful({ serviceKind: ServiceKind.loadBalancer({ reason: 'x' }) }),
      'test/db: serviceKind is "load-balancer", but the Service that names the pods must stay inside the cluster. Add the node port or load balancer as one of additionalServices',
    ],
    [
      'a disruption budget of no pod',
      stateful({ replicas: 3, disruptionBudget: { maxUnavailable: 0 } }),
      'test/db: disruptionBudget.maxUnavailable must be a whole number 1 or more, got 0. Let at least 1 pod be disrupted, or drains never finish',
    ],
    [
      'a claim name that is not DNS-1123',
      stateful({ volumeClaims: [{ name: 'Data', mountPath: '/data', storage: Size.gibibytes(1) }] }),
      'test/db: volumeClaims[0].name must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Data". Rename it, for example to "data"',
    ],
    [
      'two claims of one name',
      stateful({
        volumeClaims: [
          { name: 'data', mountPath: '/a', storage: Size.gibibytes(1) },
          { name: 'data', mountPath: '/b', storage: Size.gibibytes(1) },
        ],
      }),
      'test/db: two volume claims are named "data". Give each claim a name of its own',
    ],
    [
      'a relative mount path',
      stateful({ volumeClaims: [{ name: 'data', mountPath: 'data', storage: Size.gibibytes(1) }] }),
      'test/db: volumeClaims[0].mountPath must be an absolute path, got "data". Start the path with "/", for example "/data"',
    ],
    [
      'no access mode',
      stateful({
        volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(1), accessModes: [] }],
      }),
      'test/db: volumeClaims[0].accessModes is empty. Leave it out for ReadWriteOnce, or name a mode',
    ],
    [
      'no storage',
      stateful({ volumeClaims: [{ name: 'data', mountPath: '/data', storage: Size.gibibytes(0) }] }),
      'test/db: volumeClaims[0].storage must be above 0. Request some storage, for example Size.gibibytes(1)',
    ],
  ];
  test.each(cases)('%s is refused', (_name, build, message) => {
    expect(build).toThrow(new Error(message));
  });
});
