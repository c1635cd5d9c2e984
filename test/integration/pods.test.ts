/**
 * A workload with init containers, a native sidecar, every kind of volume, gRPC and HTTP probes and the
 * pod settings, applied by the client into a namespace enforcing Pod Security "restricted": admitted
 * with no warning, scheduled as its settings say, and stored as the library wrote it.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { CoreV1Api, SchedulingV1Api } from '@kubernetes/client-node';
import { Chart, Size, Testing } from 'cdk8s';
import type { Manifest } from '../../client/transport/resources.js';
import { ConfigMap } from '../../lib/apps/config-map.js';
import { ExistingSecret } from '../../lib/apps/existing-secret.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { PodVolume, ProjectedSource } from '../../lib/apps/pod-volume.js';
import { Worker } from '../../lib/apps/worker.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../../lib/security/pod-security.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { testApp } from '../util/synth.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, writeManifests } from './client-cli.js';

const image = (name: string) => `ghcr.io/acme/${name}:1.0.0`;
const suffix = randomBytes(3).toString('hex');
const priorityClass = `pods-test-${suffix}`;
const persistentVolume = `pods-test-${suffix}`;

/** The workload under test, synthesized into `namespace`, with the claim it mounts. */
function podApp(namespace: string): Manifest[] {
  const chart = new Chart(testApp(), 'pods', { namespace });
  const config = new ConfigMap(chart, 'config', {
    metadata: { name: 'cart-config' },
    data: { 'cart.yaml': 'a: 1' },
  });
  const secret = new ExistingSecret(chart, 'tls', { secretName: 'cart-tls' });
  const cache = PodVolume.emptyDir('cache', { sizeLimit: Size.mebibytes(64), medium: 'Memory' });
  new Worker(chart, 'cart', {
    image: image('cart'),
    port: 7070,
    replicas: 2,
    readiness: HealthCheck.grpc({ port: 7070, periodSeconds: 5 }),
    liveness: HealthCheck.grpc({ service: 'hipstershop.CartService', failureThreshold: 5 }),
    startup: HealthCheck.http('/healthz', {
      port: 7070,
      headers: { 'X-Probe': 'startup' },
      failureThreshold: 30,
    }),
    mounts: [
      { path: '/cache', volume: cache },
      { path: '/etc/cart', volume: PodVolume.configMap('config', config, { defaultMode: 0o444 }) },
      { path: '/etc/tls', volume: PodVolume.secret('tls', secret, { defaultMode: 0o400 }) },
      {
        path: '/var/run/identity',
        volume: PodVolume.projected('identity', [
          ProjectedSource.serviceAccountToken({ path: 'token', audience: 'vault', expirationSeconds: 3600 }),
          ProjectedSource.podMetadata(),
        ]),
      },
      { path: '/data', volume: PodVolume.persistentVolumeClaim('data', 'cart-data'), subPath: 'cart' },
    ],
    initContainers: [
      { name: 'migrate', image: image('migrate'), args: ['up'], mounts: [{ path: '/cache', volume: cache }] },
    ],
    sidecars: [
      {
        name: 'envoy',
        image: image('envoy'),
        ports: [{ number: 15000, name: 'admin' }],
        startup: HealthCheck.http('/ready', { periodSeconds: 1, failureThreshold: 30 }),
        runAsUser: 101,
        runAsGroup: 101,
      },
    ],
    runAsUser: 1000,
    runAsGroup: 1000,
    fsGroup: 2000,
    supplementalGroups: [3000],
    terminationGracePeriodSeconds: 45,
    priorityClassName: priorityClass,
    nodeSelector: { type: 'kwok' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cart', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/os', operator: 'In', values: ['linux'] }] },
          ],
        },
      },
    },
    topologySpread: [{ topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'DoNotSchedule' }],
  });
  const claim: Manifest = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'cart-data', namespace },
    spec: {
      accessModes: ['ReadWriteMany'],
      storageClassName: '',
      volumeName: persistentVolume,
      resources: { requests: { storage: '1Gi' } },
    },
  };
  return [...(Testing.synth(chart) as Manifest[]), claim];
}

/** kubectl's server-side dry run of `manifests`: what the API server warns about them, on stderr. */
async function dryRunWarnings(manifests: readonly Manifest[]): Promise<string> {
  const file = await writeManifests(manifests);
  const { stderr } = await promisify(execFile)(
    binaryPath('kubectl'),
    [
      'apply',
      '--server-side',
      '--force-conflicts',
      '--dry-run=server',
      '--field-manager=cdk8s-devops-test',
      '-f',
      file,
    ],
    { env: { ...process.env, KUBECONFIG: process.env[KUBECONFIG_VARIABLE] } },
  );
  return stderr;
}

describeCluster('pods with init containers, a native sidecar, volumes, probes and pod settings', () => {
  const kc = testKubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  let namespace: string;
  let manifests: Manifest[];
  let pods: V1Pod[];

  beforeAll(async () => {
    namespace = await createNamespace('pods', { ...RESTRICTED_NAMESPACE_LABELS });
    await kc.makeApiClient(SchedulingV1Api).createPriorityClass({
      body: { metadata: { name: priorityClass }, value: 100000, description: 'the pods integration test' },
    });
    // A volume bound to the claim ahead of time: the test cluster has no provisioner.
    await core.createPersistentVolume({
      body: {
        metadata: { name: persistentVolume },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadWriteMany'],
          storageClassName: '',
          claimRef: { namespace, name: 'cart-data' },
          nfs: { server: 'nfs.example.com', path: '/cart' },
        },
      },
    });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'cart-tls' }, stringData: { 'tls.crt': 'x' } },
    });
    manifests = podApp(namespace);
  });

  afterAll(async () => {
    await kc.makeApiClient(SchedulingV1Api).deletePriorityClass({ name: priorityClass });
    await core.deleteNamespace({ name: namespace });
    await core.deletePersistentVolume({ name: persistentVolume });
  });

  test('the client applies it into a namespace enforcing "restricted", and the API server warns of nothing', async () => {
    expect(await dryRunWarnings(manifests)).toBe('');
    const file = await writeManifests(manifests);
    const run = await cli(['apply', file, '-n', namespace, '--applyset', 'pods', '--yes']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    pods = await eventually(
      'two Ready cart pods',
      async () => {
        const list = await core.listNamespacedPod({
          namespace,
          labelSelector: 'app.kubernetes.io/name=cart',
        });
        const ready = list.items.filter((p) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
        return ready.length === 2 ? ready : undefined;
      },
      90_000,
    );
  });

  test('the live pod spec has the init container, the native sidecar and the probes as written', () => {
    const spec = pods[0].spec!;
    expect(spec.initContainers?.map((c) => [c.name, c.restartPolicy, c.securityContext?.runAsUser])).toEqual([
      ['migrate', undefined, undefined],
      ['envoy', 'Always', 101],
    ]);
    expect(spec.initContainers?.[1].startupProbe).toMatchObject({
      httpGet: { path: '/ready', port: 15000, scheme: 'HTTP' },
      periodSeconds: 1,
      failureThreshold: 30,
    });
    const app = spec.containers[0];
    expect(app.readinessProbe).toMatchObject({ grpc: { port: 7070, service: '' }, periodSeconds: 5 });
    expect(app.livenessProbe).toMatchObject({
      grpc: { port: 7070, service: 'hipstershop.CartService' },
      failureThreshold: 5,
    });
    expect(app.startupProbe?.httpGet).toEqual({
      path: '/healthz',
      port: 7070,
      scheme: 'HTTP',
      httpHeaders: [{ name: 'X-Probe', value: 'startup' }],
    });
    // Every container, init containers included, drops every capability and runs as non-root.
    for (const c of [...spec.initContainers!, ...spec.containers]) {
      expect([c.name, c.securityContext?.capabilities?.drop, c.securityContext?.runAsNonRoot]).toEqual([
        c.name,
        ['ALL'],
        true,
      ]);
    }
  });

  test('the live pod spec has every volume, mounted read-only where it holds configuration', () => {
    const spec = pods[0].spec!;
    const volumes = Object.fromEntries(spec.volumes!.map((v) => [v.name, v]));
    expect(volumes.cache.emptyDir).toEqual({ medium: 'Memory', sizeLimit: '64Mi' });
    expect(volumes.config.configMap).toEqual({ name: 'cart-config', defaultMode: 0o444 });
    expect(volumes.tls.secret).toEqual({ secretName: 'cart-tls', defaultMode: 0o400 });
    expect(volumes.identity.projected?.sources?.[0].serviceAccountToken).toEqual({
      audience: 'vault',
      expirationSeconds: 3600,
      path: 'token',
    });
    expect(volumes.data.persistentVolumeClaim).toEqual({ claimName: 'cart-data' });
    expect(
      spec.containers[0].volumeMounts
        ?.filter((m) => !m.mountPath.startsWith('/var/run/secrets'))
        .map((m) => [m.mountPath, m.readOnly ?? false, m.subPath]),
    ).toEqual([
      ['/cache', false, undefined],
      ['/etc/cart', true, undefined],
      ['/etc/tls', true, undefined],
      ['/var/run/identity', true, undefined],
      ['/data', false, 'cart'],
    ]);
  });

  test('the pod settings reach the scheduler: priority, placement and spread', async () => {
    const spec = pods[0].spec!;
    expect(spec.securityContext).toMatchObject({
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 2000,
      supplementalGroups: [3000],
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(spec.terminationGracePeriodSeconds).toBe(45);
    expect([spec.priorityClassName, spec.priority]).toEqual([priorityClass, 100000]);
    expect(spec.nodeSelector).toEqual({ type: 'kwok' });
    expect(spec.tolerations).toContainEqual({
      key: 'dedicated',
      operator: 'Equal',
      value: 'cart',
      effect: 'NoSchedule',
    });
    expect(spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'cart' } },
      },
    ]);
    // The hostname spread put the two pods on two nodes.
    expect(new Set(pods.map((p) => p.spec?.nodeName)).size).toBe(2);
    const node = await core.readNode({ name: spec.nodeName! });
    expect(node.metadata?.labels?.type).toBe('kwok');
  });

  test('an init container that keeps its capabilities is warned about (the check can fail)', async () => {
    const applied = structuredClone(manifests.find((m) => m.kind === 'Deployment')!);
    // A new Deployment, since an apply leaves the fields the client's own apply set.
    const deployment = { ...applied, metadata: { ...applied.metadata, name: 'cart-without-drop' } };
    const spec = (applied.spec as { template: { spec: { initContainers: { securityContext: object }[] } } })
      .template.spec;
    delete (spec.initContainers[0].securityContext as { capabilities?: unknown }).capabilities;
    const warnings = await dryRunWarnings([deployment]);
    expect(warnings).toContain('would violate PodSecurity "restricted:latest"');
    expect(warnings).toContain('container "migrate" must set securityContext.capabilities.drop=["ALL"]');
  });
});
