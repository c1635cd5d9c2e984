import { Size } from 'cdk8s';
import { ConfigMap } from '../../lib/apps/config-map.js';
import { ExistingSecret } from '../../lib/apps/existing-secret.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { PodVolume, ProjectedSource } from '../../lib/apps/pod-volume.js';
import { ScheduledJob } from '../../lib/apps/scheduled-job.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import type { WorkerProps } from '../../lib/apps/worker.js';
import * as plus from '../../lib/core/plus.js';
import { checkPolicies } from '../../lib/security/policy.js';
import { one, podSpec, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/api:1.2.3';
const RESTRICTED = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  privileged: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
};
const APP_RESOURCES = {
  limits: { cpu: '500m', memory: '256Mi' },
  requests: { cpu: '100m', memory: '128Mi' },
};

/** The pod spec of a Worker called "api" made of `props`. */
function pod(props: Partial<WorkerProps> = {}) {
  const chart = testChart();
  new Worker(chart, 'api', { image, ...props });
  return podSpec(one(synth(chart), 'Deployment', 'api'));
}

describe('probes', () => {
  test('an HTTP check with headers, scheme and every timing', () => {
    const probe = pod({
      port: 8443,
      readiness: HealthCheck.http('/ready', {
        scheme: 'HTTPS',
        headers: { Host: 'api.example.com', 'X-Probe': '1' },
        initialDelaySeconds: 0,
        periodSeconds: 5,
        timeoutSeconds: 2,
        failureThreshold: 4,
        successThreshold: 2,
      }),
    }).containers[0].readinessProbe;
    expect(probe).toEqual({
      httpGet: {
        path: '/ready',
        port: 8443,
        scheme: 'HTTPS',
        httpHeaders: [
          { name: 'Host', value: 'api.example.com' },
          { name: 'X-Probe', value: '1' },
        ],
      },
      initialDelaySeconds: 0,
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 4,
      successThreshold: 2,
    });
  });

  test('gRPC checks keep their plain-number port, with and without a service', () => {
    const container = pod({
      port: 50051,
      readiness: HealthCheck.grpc({ service: 'shop.Cart', periodSeconds: 3 }),
      liveness: HealthCheck.grpc({ port: 50051, timeoutSeconds: 5 }),
      startup: HealthCheck.grpc({ failureThreshold: 30 }),
    }).containers[0];
    expect(container.readinessProbe).toEqual({
      grpc: { port: 50051, service: 'shop.Cart' },
      periodSeconds: 3,
      failureThreshold: 3,
    });
    expect(container.livenessProbe).toEqual({
      grpc: { port: 50051 },
      timeoutSeconds: 5,
      failureThreshold: 3,
    });
    expect(container.startupProbe).toEqual({ grpc: { port: 50051 }, failureThreshold: 30 });
  });

  test('TCP and exec checks', () => {
    const container = pod({
      port: 6379,
      liveness: HealthCheck.tcp({ port: 6379, periodSeconds: 15 }),
      startup: HealthCheck.exec(['redis-cli', 'ping'], { initialDelaySeconds: 5 }),
    }).containers[0];
    expect(container.livenessProbe).toEqual({
      tcpSocket: { port: 6379 },
      periodSeconds: 15,
      failureThreshold: 3,
    });
    expect(container.startupProbe).toEqual({
      exec: { command: ['redis-cli', 'ping'] },
      initialDelaySeconds: 5,
      failureThreshold: 3,
    });
  });

  test('no hidden probe: none without a port, only the TCP readiness check with one', () => {
    const bare = pod().containers[0];
    expect([bare.readinessProbe, bare.livenessProbe, bare.startupProbe]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    const chart = testChart();
    new WebService(chart, 'web', { image });
    const web = podSpec(one(synth(chart), 'Deployment')).containers[0];
    expect(web.readinessProbe).toEqual({ tcpSocket: { port: 8080 }, failureThreshold: 3 });
    expect([web.livenessProbe, web.startupProbe]).toEqual([undefined, undefined]);
  });

  test('HealthCheck.none() leaves out the readiness check a workload with a port gets by default', () => {
    const chart = testChart();
    new WebService(chart, 'web', { image, readiness: HealthCheck.none() });
    const web = podSpec(one(synth(chart), 'Deployment')).containers[0];
    expect([web.readinessProbe, web.livenessProbe, web.startupProbe]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(web.ports).toEqual([{ containerPort: 8080 }]);
  });

  test('HealthCheck.none() as liveness or startup, and on a sidecar, is no check either', () => {
    const spec = pod({
      port: 8080,
      liveness: HealthCheck.none(),
      startup: HealthCheck.none(),
      sidecars: [
        {
          name: 'proxy',
          image: 'ghcr.io/acme/proxy:1.0.0',
          ports: [{ number: 15000 }],
          readiness: HealthCheck.none(),
        },
      ],
    });
    expect(spec.containers[0].readinessProbe).toEqual({ tcpSocket: { port: 8080 }, failureThreshold: 3 });
    expect([spec.containers[0].livenessProbe, spec.containers[0].startupProbe]).toEqual([
      undefined,
      undefined,
    ]);
    expect(spec.initContainers[0].readinessProbe).toBeUndefined();
  });

  test.each([
    [
      'a path without a leading slash',
      { port: 80, readiness: HealthCheck.http('ready') },
      'test/api: readiness check path "ready" does not start with "/". Write "/ready"',
    ],
    [
      'a header name that is not a token',
      { port: 80, liveness: HealthCheck.http('/h', { headers: { 'X Probe': '1' } }) },
      'test/api: liveness check header name "X Probe" is not an HTTP token. Use letters, digits and !#$%&\'*+-.^_`|~ only, for example "X-Probe"',
    ],
    [
      'a successThreshold other than 1 on a liveness check',
      { port: 80, liveness: HealthCheck.tcp({ successThreshold: 2 }) },
      'test/api: liveness check successThreshold must be 1, got 2. Leave successThreshold out: Kubernetes allows other values on readiness checks only',
    ],
    [
      'a periodSeconds of 0',
      { port: 80, readiness: HealthCheck.grpc({ periodSeconds: 0 }) },
      'test/api: readiness check periodSeconds must be a whole number 1 or more, got 0. Check every 1 or more seconds',
    ],
    [
      'a negative initialDelaySeconds',
      { startup: HealthCheck.exec(['true'], { initialDelaySeconds: -1 }) },
      'test/api: startup check initialDelaySeconds must be a whole number 0 or more, got -1. Wait 0 or more seconds',
    ],
    [
      'a timeoutSeconds of 0',
      { port: 80, readiness: HealthCheck.tcp({ timeoutSeconds: 0 }) },
      'test/api: readiness check timeoutSeconds must be a whole number 1 or more, got 0. Give the check 1 or more seconds',
    ],
    [
      'a failureThreshold of 0',
      { port: 80, readiness: HealthCheck.tcp({ failureThreshold: 0 }) },
      'test/api: readiness check failureThreshold must be a whole number 1 or more, got 0. Allow 1 or more failures',
    ],
    [
      'a successThreshold of 0',
      { port: 80, readiness: HealthCheck.tcp({ successThreshold: 0 }) },
      'test/api: readiness check successThreshold must be a whole number 1 or more, got 0. Require 1 or more successes',
    ],
    [
      'an empty command',
      { liveness: HealthCheck.exec([]) },
      'test/api: liveness check runs an empty command. Give the command and its arguments',
    ],
    [
      'a gRPC check of a workload without a port',
      { readiness: HealthCheck.grpc() },
      'test/api: readiness check of container "api" probes port undefined, which the container does not expose (its ports: none). Give the container a port',
    ],
  ])('refuses %s', (_what, props, message) => {
    expect(() => pod(props as Partial<WorkerProps>)).toThrow(message);
  });
});

describe('volumes', () => {
  test('every kind, mounted read-only where it holds configuration', () => {
    const chart = testChart();
    const config = new ConfigMap(chart, 'config', { metadata: { name: 'api-config' } });
    const secret = new ExistingSecret(chart, 'tls', { secretName: 'api-tls' });
    new Worker(chart, 'api', {
      image,
      mounts: [
        {
          path: '/cache',
          volume: PodVolume.emptyDir('cache', { sizeLimit: Size.mebibytes(512), medium: 'Memory' }),
        },
        {
          path: '/etc/api',
          volume: PodVolume.configMap('config', config, {
            items: [{ key: 'api.yaml', path: 'api.yaml', mode: 0o440 }],
            defaultMode: 0o444,
          }),
        },
        { path: '/etc/tls', volume: PodVolume.secret('tls', secret, { defaultMode: 0o400 }) },
        {
          path: '/var/run/identity',
          volume: PodVolume.projected('identity', [
            ProjectedSource.configMap(config, { items: [{ key: 'ca.crt', path: 'ca.crt' }] }),
            ProjectedSource.secret(secret),
            ProjectedSource.serviceAccountToken({ path: 'token', audience: 'vault', expirationSeconds: 600 }),
            ProjectedSource.podMetadata(),
          ]),
        },
        { path: '/data', volume: PodVolume.persistentVolumeClaim('data', 'api-data'), subPath: 'v1' },
        {
          path: '/archive',
          volume: PodVolume.persistentVolumeClaim('archive', 'archive', { readOnly: true }),
        },
        { path: '/scratch', volume: PodVolume.emptyDir('scratch'), readOnly: true },
      ],
    });
    const spec = podSpec(one(synth(chart), 'Deployment'));
    expect(spec.volumes).toEqual([
      { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } },
      {
        name: 'config',
        configMap: {
          name: 'api-config',
          items: [{ key: 'api.yaml', path: 'api.yaml', mode: 0o440 }],
          defaultMode: 0o444,
        },
      },
      { name: 'tls', secret: { secretName: 'api-tls', defaultMode: 0o400 } },
      {
        name: 'identity',
        projected: {
          sources: [
            { configMap: { name: 'api-config', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { secret: { name: 'api-tls' } },
            { serviceAccountToken: { path: 'token', audience: 'vault', expirationSeconds: 600 } },
            {
              downwardAPI: {
                items: [
                  { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
                  { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
                ],
              },
            },
          ],
        },
      },
      { name: 'data', persistentVolumeClaim: { claimName: 'api-data' } },
      { name: 'archive', persistentVolumeClaim: { claimName: 'archive', readOnly: true } },
      { name: 'scratch', emptyDir: {} },
    ]);
    expect(spec.containers[0].volumeMounts).toEqual([
      { mountPath: '/cache', name: 'cache' },
      { mountPath: '/etc/api', name: 'config', readOnly: true },
      { mountPath: '/etc/tls', name: 'tls', readOnly: true },
      { mountPath: '/var/run/identity', name: 'identity', readOnly: true },
      { mountPath: '/data', name: 'data', subPath: 'v1' },
      { mountPath: '/archive', name: 'archive', readOnly: true },
      { mountPath: '/scratch', name: 'scratch', readOnly: true },
    ]);
  });

  test('one volume shared by the app, an init container and a sidecar is listed once', () => {
    const shared = PodVolume.emptyDir('shared');
    const chart = testChart();
    const worker = new Worker(chart, 'api', {
      image,
      initContainers: [{ name: 'fetch', image, mounts: [{ path: '/shared', volume: shared }] }],
      sidecars: [{ name: 'ship', image, mounts: [{ path: '/shared', volume: shared, readOnly: true }] }],
    });
    worker.mount('/work', shared);
    const spec = podSpec(one(synth(chart), 'Deployment'));
    expect(spec.volumes).toEqual([{ name: 'shared', emptyDir: {} }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ mountPath: '/work', name: 'shared' }]);
    expect(spec.initContainers.map((c: any) => c.volumeMounts)).toEqual([
      [{ mountPath: '/shared', name: 'shared' }],
      [{ mountPath: '/shared', name: 'shared', readOnly: true }],
    ]);
  });

  test.each([
    [
      'a relative mount path',
      () => [{ path: 'data', volume: PodVolume.emptyDir('data') }],
      'test/api: container "api" mounts volume "data" at "data", which is not an absolute path. Start the path with "/", for example "/data"',
    ],
    [
      'two volumes at one path',
      () => [
        { path: '/data', volume: PodVolume.emptyDir('a') },
        { path: '/data', volume: PodVolume.emptyDir('b') },
      ],
      'test/api: container "api" mounts two volumes at "/data". Mount each volume at a path of its own',
    ],
    [
      'a writable ConfigMap mount',
      () => [
        {
          path: '/etc/api',
          volume: PodVolume.configMap('config', plus.ConfigMap.fromConfigMapName(testChart(), 'c', 'cfg')),
          readOnly: false,
        },
      ],
      'test/api: container "api" mounts the configMap volume "config" with readOnly: false, but it is always read-only. Leave readOnly out, and copy the files to an emptyDir if the app must change them',
    ],
    [
      'a writable mount of a read-only claim',
      () => [
        {
          path: '/data',
          volume: PodVolume.persistentVolumeClaim('data', 'db', { readOnly: true }),
          readOnly: false,
        },
      ],
      'test/api: container "api" mounts the persistentVolumeClaim volume "data" with readOnly: false, but it is always read-only. Leave readOnly out, or make the claim writable',
    ],
    [
      'two different volumes of one name',
      () => [
        { path: '/a', volume: PodVolume.emptyDir('data') },
        { path: '/b', volume: PodVolume.emptyDir('data') },
      ],
      'test/api: two different volumes are named "data". Give each volume a name of its own, or mount the same PodVolume in every container',
    ],
    [
      'a volume name that is not a DNS label',
      () => [{ path: '/a', volume: PodVolume.emptyDir('Data_1') }],
      'test/api: volume name must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Data_1". Rename it, for example to "data-1"',
    ],
    [
      'a projected volume without sources',
      () => [{ path: '/a', volume: PodVolume.projected('p', []) }],
      'test/api: projected volume "p" has no sources. Give it at least one ProjectedSource',
    ],
    [
      'mode bits out of range',
      () => [
        {
          path: '/a',
          volume: PodVolume.secret('s', new ExistingSecret(testChart(), 's', { secretName: 's' }), {
            defaultMode: 0o1000,
          }),
        },
      ],
      'test/api: defaultMode of volume "s" must be a whole number between 0 and 511, got 512. Use mode bits from 0 to 0o777',
    ],
    [
      'a token that lives less than 10 minutes',
      () => [
        {
          path: '/a',
          volume: PodVolume.projected('p', [
            ProjectedSource.serviceAccountToken({ path: 't', expirationSeconds: 60 }),
          ]),
        },
      ],
      'test/api: serviceAccountToken.expirationSeconds must be a whole number 600 or more, got 60. Let the token live at least 600 seconds, as Kubernetes requires',
    ],
    [
      'a claim name that is not a DNS subdomain',
      () => [{ path: '/a', volume: PodVolume.persistentVolumeClaim('data', 'Data') }],
      'test/api: claimName must be a DNS-1123 subdomain',
    ],
  ])('refuses %s', (_what, mounts, message) => {
    expect(() => pod({ mounts: mounts() })).toThrow(message);
  });
});

describe('init containers and native sidecars', () => {
  test('run under the restricted context with the app container resources, in the order added', () => {
    const chart = testChart();
    const worker = new Worker(chart, 'api', {
      image,
      runAsUser: 1000,
      initContainers: [
        {
          name: 'migrate',
          image: 'ghcr.io/acme/migrate:4.0.0',
          command: ['/migrate'],
          args: ['up'],
          env: { DB: 'main' },
        },
      ],
      sidecars: [
        {
          name: 'proxy',
          image: 'ghcr.io/acme/proxy:1.0.0',
          ports: [{ number: 15000, name: 'admin' }],
          readiness: HealthCheck.http('/ready'),
          startup: HealthCheck.tcp({ periodSeconds: 1, failureThreshold: 30 }),
          runAsUser: 1337,
          runAsGroup: 1337,
          secretEnv: { TOKEN: { secretName: 'proxy-token', key: 'token' } },
        },
      ],
    });
    worker.addInitContainer({
      name: 'wait',
      image: 'ghcr.io/acme/wait:1.0.0',
      resources: { cpu: { request: plus.Cpu.millis(10), limit: plus.Cpu.millis(50) } },
    });
    const spec = podSpec(one(synth(chart), 'Deployment'));
    expect(spec.initContainers).toEqual([
      {
        name: 'migrate',
        image: 'ghcr.io/acme/migrate:4.0.0',
        imagePullPolicy: 'Always',
        command: ['/migrate'],
        args: ['up'],
        env: [{ name: 'DB', value: 'main' }],
        resources: APP_RESOURCES,
        securityContext: RESTRICTED,
      },
      {
        name: 'proxy',
        image: 'ghcr.io/acme/proxy:1.0.0',
        imagePullPolicy: 'Always',
        env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'proxy-token', key: 'token' } } }],
        ports: [{ containerPort: 15000, name: 'admin' }],
        readinessProbe: { httpGet: { path: '/ready', port: 15000, scheme: 'HTTP' }, failureThreshold: 3 },
        startupProbe: { tcpSocket: { port: 15000 }, periodSeconds: 1, failureThreshold: 30 },
        resources: APP_RESOURCES,
        securityContext: { ...RESTRICTED, runAsUser: 1337, runAsGroup: 1337 },
        restartPolicy: 'Always',
      },
      {
        name: 'wait',
        image: 'ghcr.io/acme/wait:1.0.0',
        imagePullPolicy: 'Always',
        resources: { limits: { cpu: '50m' }, requests: { cpu: '10m' } },
        securityContext: RESTRICTED,
      },
    ]);
    // The pod's runAsUser covers the init containers that set none.
    expect(spec.securityContext.runAsUser).toBe(1000);
  });

  test('pass the policy checks, on a CronJob too, and a latest image is waived naming the container', () => {
    const chart = testChart();
    const job = new ScheduledJob(chart, 'report', { image, schedule: '@daily' });
    job.addSidecar({ name: 'agent', image: 'ghcr.io/acme/agent:latest', allowLatestImage: true });
    job.addInitContainer({ name: 'setup', image });
    const cronJob = one(synth(chart), 'CronJob');
    expect(podSpec(cronJob).initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([
      ['agent', 'Always'],
      ['setup', undefined],
    ]);
    expect(cronJob.metadata.annotations).toEqual({
      'policy.cdk8s-devops.io/waive-image-pinned':
        'allowLatestImage is set on test/report for container "agent"',
    });
    expect(checkPolicies(chart)).toEqual([]);
  });

  test('the app and a sidecar on latest share one waiver naming both', () => {
    const chart = testChart();
    new Worker(chart, 'api', {
      image: 'ghcr.io/acme/api:latest',
      allowLatestImage: true,
      sidecars: [{ name: 'agent', image: 'ghcr.io/acme/agent:latest', allowLatestImage: true }],
    });
    expect(one(synth(chart), 'Deployment').metadata.annotations).toEqual({
      'policy.cdk8s-devops.io/waive-image-pinned':
        'allowLatestImage is set on test/api; allowLatestImage is set on test/api for container "agent"',
    });
  });

  test.each([
    [
      'a name the app container has',
      { initContainers: [{ name: 'api', image }] },
      'test/api: the pod already has a container named "api". Give each container a name of its own',
    ],
    [
      'a name that is not a DNS label',
      { sidecars: [{ name: 'Proxy', image }] },
      'test/api: container name must be a DNS-1123 label',
    ],
    [
      'a health check on an init container',
      { initContainers: [{ name: 'setup', image, readiness: HealthCheck.exec(['true']) }] },
      'test/api: init container "setup" has a health check, which Kubernetes allows on sidecars only. Add it with addSidecar, or leave the checks out',
    ],
    [
      'an image without a tag',
      { initContainers: [{ name: 'setup', image: 'ghcr.io/acme/setup' }] },
      'test/api: image "ghcr.io/acme/setup" has no tag or digest, so it runs the moving tag "latest". Pin the version tag or digest you run ("ghcr.io/acme/setup:<version>" or "ghcr.io/acme/setup@sha256:<digest>"), or set allowLatestImage: true to accept unrepeatable rollouts',
    ],
    [
      'the tag latest without allowLatestImage',
      { sidecars: [{ name: 'proxy', image: 'ghcr.io/acme/proxy:latest' }] },
      'test/api: image "ghcr.io/acme/proxy:latest" uses the moving tag "latest". Pin the version tag or digest you run ("ghcr.io/acme/proxy:<version>" or "ghcr.io/acme/proxy@sha256:<digest>"), or set allowLatestImage: true to accept unrepeatable rollouts',
    ],
    [
      'running as root',
      { sidecars: [{ name: 'proxy', image, runAsUser: 0 }] },
      'test/api: runAsUser of container "proxy" must be a whole number between 1 and 2147483647, got 0. Run as a non-root ID from 1 to 2147483647',
    ],
    [
      'a port out of range',
      { sidecars: [{ name: 'proxy', image, ports: [{ number: 70000 }] }] },
      'test/api: port of container "proxy" must be a whole number between 1 and 65535, got 70000. Use a port between 1 and 65535',
    ],
    [
      'a sidecar check of a port it does not expose',
      {
        sidecars: [
          { name: 'proxy', image, ports: [{ number: 15000 }], liveness: HealthCheck.tcp({ port: 8080 }) },
        ],
      },
      'test/api: liveness check of container "proxy" probes port 8080, which the container does not expose (its ports: 15000). Probe port 15000, or give the container port 8080',
    ],
  ])('refuses %s', (_what, props, message) => {
    expect(() => pod(props as Partial<WorkerProps>)).toThrow(message);
  });
});

describe('pod settings', () => {
  test('supplementalGroups, priorityClassName, nodeSelector, tolerations and affinity', () => {
    const spec = pod({
      fsGroup: 2000,
      supplementalGroups: [3000, 4000],
      priorityClassName: 'business-critical',
      nodeSelector: { 'kubernetes.io/arch': 'arm64' },
      tolerations: [
        { key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 30,
        },
        { operator: 'Exists' },
      ],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'node-type', operator: 'In', values: ['general'] }] },
            ],
          },
        },
        podAntiAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            {
              weight: 100,
              podAffinityTerm: {
                topologyKey: 'kubernetes.io/hostname',
                labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
              },
            },
          ],
        },
      },
    });
    expect(spec.securityContext).toEqual({
      fsGroup: 2000,
      fsGroupChangePolicy: 'Always',
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
      supplementalGroups: [3000, 4000],
    });
    expect(spec.priorityClassName).toBe('business-critical');
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/arch': 'arm64' });
    expect(spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 30,
      },
      { operator: 'Exists' },
    ]);
    expect(spec.affinity).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'node-type', operator: 'In', values: ['general'] }] },
          ],
        },
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
            },
          },
        ],
      },
    });
  });

  test('the topology spread: the zone spread by default, replaced by own constraints, or switched off', () => {
    expect(pod().topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      },
    ]);
    expect(
      pod({
        topologySpread: [
          { topologyKey: 'kubernetes.io/hostname', maxSkew: 2, whenUnsatisfiable: 'DoNotSchedule' },
          { topologyKey: 'topology.kubernetes.io/zone', matchLabels: { tier: 'web' } },
        ],
      }).topologySpreadConstraints,
    ).toEqual([
      {
        maxSkew: 2,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      },
      {
        maxSkew: 1,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: { tier: 'web' } },
      },
    ]);
    expect(pod({ spreadAcrossZones: false }).topologySpreadConstraints).toBeUndefined();
    expect(pod({ topologySpread: [] }).topologySpreadConstraints).toBeUndefined();
  });

  test.each([
    [
      'topologySpread with spreadAcrossZones false',
      { spreadAcrossZones: false, topologySpread: [{ topologyKey: 'kubernetes.io/hostname' }] },
      'test/api: spreadAcrossZones is false but topologySpread is set. Leave spreadAcrossZones out: topologySpread replaces the zone spread',
    ],
    [
      'a maxSkew of 0',
      { topologySpread: [{ topologyKey: 'kubernetes.io/hostname', maxSkew: 0 }] },
      'test/api: topologySpread maxSkew must be a whole number 1 or more, got 0. Allow a skew of 1 or more',
    ],
    [
      'a negative supplemental group',
      { supplementalGroups: [-1] },
      'test/api: supplementalGroups must be a whole number between 0 and 2147483647, got -1. Use group IDs from 0 to 2147483647',
    ],
    [
      'a priority class name that is not a DNS subdomain',
      { priorityClassName: 'High' },
      'test/api: priorityClassName must be a DNS-1123 subdomain',
    ],
    [
      'a value with operator Exists',
      { tolerations: [{ key: 'dedicated', operator: 'Exists', value: 'shop' }] },
      'test/api: toleration of "dedicated" has operator Exists and value "shop". Leave the value out with Exists, or use operator Equal',
    ],
    [
      'a toleration without key or Exists',
      { tolerations: [{ value: 'shop' }] },
      'test/api: a toleration without a key must have operator Exists. Set operator: "Exists", or name the key',
    ],
    [
      'tolerationSeconds without NoExecute',
      { tolerations: [{ key: 'dedicated', value: 'shop', effect: 'NoSchedule', tolerationSeconds: 10 }] },
      'test/api: toleration of "dedicated" sets tolerationSeconds with effect "NoSchedule". tolerationSeconds applies to effect "NoExecute" only: set that effect, or leave tolerationSeconds out',
    ],
  ])('refuses %s', (_what, props, message) => {
    expect(() => pod(props as Partial<WorkerProps>)).toThrow(message);
  });
});

describe('the app container', () => {
  test('is named after the workload, or by containerName, which probes and fields follow', () => {
    expect(pod().containers.map((c: { name: string }) => c.name)).toEqual(['api']);
    const chart = testChart();
    new WebService(chart, 'web', {
      image,
      containerName: 'server',
      liveness: HealthCheck.http('/healthz'),
      resources: {
        ephemeralStorage: { request: Size.mebibytes(256), limit: Size.mebibytes(512) },
      },
    });
    const deployment = one(synth(chart), 'Deployment');
    const container = podSpec(deployment).containers[0];
    expect(deployment.metadata.name).toBe('web');
    expect(container.name).toBe('server');
    expect(container.readinessProbe).toEqual({ tcpSocket: { port: 8080 }, failureThreshold: 3 });
    expect(container.livenessProbe).toEqual({
      httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' },
      failureThreshold: 3,
    });
    expect(container.resources).toEqual({
      limits: { 'ephemeral-storage': '512Mi' },
      requests: { 'ephemeral-storage': '256Mi' },
    });
  });

  test('refuses a containerName that is not a DNS label', () => {
    expect(() => pod({ containerName: 'Server' })).toThrow(
      new Error(
        `test/api: containerName must be a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit), got "Server". Rename it, for example to "server"`,
      ),
    );
  });

  test('refuses a sidecar named like the app container', () => {
    expect(() =>
      pod({ containerName: 'server', sidecars: [{ name: 'server', image: 'ghcr.io/acme/proxy:1.0.0' }] }),
    ).toThrow(
      new Error(
        'test/api: the pod already has a container named "server". Give each container a name of its own',
      ),
    );
  });
});

describe('ephemeral storage', () => {
  const storage = (request: Size, limit: Size) => ({
    cpu: { request: plus.Cpu.millis(100), limit: plus.Cpu.millis(500) },
    memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
    ephemeralStorage: { request, limit },
  });

  test('of any size, written as the API writes it, on the app container, init containers and sidecars', () => {
    const spec = pod({
      resources: storage(Size.mebibytes(256), Size.gibibytes(0.5)),
      initContainers: [
        {
          name: 'migrate',
          image: 'ghcr.io/acme/migrate:4.0.0',
          resources: storage(Size.kibibytes(512), Size.kibibytes(1536)),
        },
      ],
      sidecars: [{ name: 'proxy', image: 'ghcr.io/acme/proxy:1.0.0' }], // the app container's
    });
    const app = {
      limits: { cpu: '500m', 'ephemeral-storage': '512Mi', memory: '256Mi' },
      requests: { cpu: '100m', 'ephemeral-storage': '256Mi', memory: '128Mi' },
    };
    expect(spec.containers[0].resources).toEqual(app);
    expect(JSON.stringify(Object.keys(spec.containers[0].resources.limits))).toBe(
      '["cpu","ephemeral-storage","memory"]',
    );
    expect(spec.initContainers.map((c: { resources: unknown }) => c.resources)).toEqual([
      {
        limits: { cpu: '500m', 'ephemeral-storage': '1536Ki', memory: '256Mi' },
        requests: { cpu: '100m', 'ephemeral-storage': '512Ki', memory: '128Mi' },
      },
      app,
    ]);
  });

  test('whole GiB as cdk8s-plus writes them, beside a part of a GiB', () => {
    expect(
      pod({ resources: storage(Size.mebibytes(768), Size.gibibytes(2)) }).containers[0].resources,
    ).toEqual({
      limits: { cpu: '500m', 'ephemeral-storage': '2Gi', memory: '256Mi' },
      requests: { cpu: '100m', 'ephemeral-storage': '768Mi', memory: '128Mi' },
    });
    expect(
      pod({ resources: { ephemeralStorage: { limit: Size.gibibytes(1) } } }).containers[0].resources,
    ).toEqual({
      limits: { 'ephemeral-storage': '1Gi' },
    });
  });

  test('refuses a size that is not a whole number of bytes', () => {
    expect(() => pod({ resources: storage(Size.gibibytes(0.1), Size.gibibytes(1)) })).toThrow(
      new Error(
        'test/api: ephemeral storage request of container "api" (104857.6 KiB) is not a whole number of bytes. Give a whole number of bytes, for example Size.mebibytes(256)',
      ),
    );
  });
});
