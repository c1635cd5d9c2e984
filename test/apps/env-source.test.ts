import { ConfigMap } from '../../lib/apps/config-map.js';
import type { ContainerResourceField, PodField } from '../../lib/apps/env-source.js';
import { EnvSource } from '../../lib/apps/env-source.js';
import { ExistingSecret } from '../../lib/apps/existing-secret.js';
import { Worker } from '../../lib/apps/worker.js';
import type { WorkerProps } from '../../lib/apps/worker.js';
import { one, podSpec, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/api:1.2.3';

/** The pod spec of a Worker called "api" made of `props`. */
function pod(props: Partial<WorkerProps> = {}) {
  const chart = testChart();
  new Worker(chart, 'api', { image, ...props });
  return podSpec(one(synth(chart), 'Deployment', 'api'));
}

describe('env values from elsewhere (EnvSource)', () => {
  test('pod fields of the downward API, a label and an annotation by key, beside literals in order', () => {
    expect(
      pod({
        env: {
          LOG_LEVEL: 'info',
          NAMESPACE: EnvSource.fromField('metadata.namespace'),
          POD_NAME: EnvSource.fromField('metadata.name'),
          HOST_IPS: EnvSource.fromField('status.hostIPs'),
          TEAM: EnvSource.fromField("metadata.labels['team']"),
          OWNER: EnvSource.fromField("metadata.annotations['example.com/Owner']"),
        },
      }).containers[0].env,
    ).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'HOST_IPS', valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } },
      { name: 'TEAM', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
      {
        name: 'OWNER',
        valueFrom: { fieldRef: { fieldPath: "metadata.annotations['example.com/Owner']" } },
      },
    ]);
  });

  test("keys of the chart's ConfigMap and of one made elsewhere, required or optional", () => {
    const chart = testChart();
    const config = new ConfigMap(chart, 'config', {
      metadata: { name: 'demo-data' },
      data: { USER: 'demo' },
    });
    new Worker(chart, 'api', {
      image,
      env: {
        USER: EnvSource.fromConfigMapKey(config, 'USER'),
        CLIENT_ID: EnvSource.fromConfigMapKey('oauth-config', 'CLIENT_ID', { optional: true }),
        REGION: EnvSource.fromConfigMapKey('cluster-info', 'region', { optional: false }),
      },
    });
    expect(podSpec(one(synth(chart), 'Deployment')).containers[0].env).toEqual([
      { name: 'USER', valueFrom: { configMapKeyRef: { name: 'demo-data', key: 'USER' } } },
      {
        name: 'CLIENT_ID',
        valueFrom: { configMapKeyRef: { name: 'oauth-config', key: 'CLIENT_ID', optional: true } },
      },
      {
        name: 'REGION',
        valueFrom: { configMapKeyRef: { name: 'cluster-info', key: 'region', optional: false } },
      },
    ]);
  });

  test('keys of Secrets made elsewhere, by ExistingSecret or by name, as secretEnv writes them', () => {
    const chart = testChart();
    const db = new ExistingSecret(chart, 'db', { secretName: 'db-credentials' });
    new Worker(chart, 'api', {
      image,
      env: {
        DB_PASSWORD: EnvSource.fromSecretKey(db, 'password'),
        API_TOKEN: EnvSource.fromSecretKey('api-token', 'token', { optional: true }),
      },
      secretEnv: { DB_USER: { secretName: 'db-credentials', key: 'user' } },
    });
    expect(podSpec(one(synth(chart), 'Deployment')).containers[0].env).toEqual([
      { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
      {
        name: 'API_TOKEN',
        valueFrom: { secretKeyRef: { name: 'api-token', key: 'token', optional: true } },
      },
      { name: 'DB_USER', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'user' } } },
    ]);
  });

  test('requests and limits, of the container itself or of another, with a divisor', () => {
    const chart = testChart();
    const worker = new Worker(chart, 'api', {
      image,
      env: {
        MEMORY_LIMIT: EnvSource.fromResource('limits.memory', { divisor: '1Mi' }),
        CPU_REQUEST: EnvSource.fromResource('requests.cpu', { divisor: '1m' }),
        STORAGE: EnvSource.fromResource('limits.ephemeral-storage'),
      },
    });
    worker.addSidecar({
      name: 'agent',
      image: 'ghcr.io/acme/agent:1.0.0',
      env: { APP_MEMORY: EnvSource.fromResource('limits.memory', { container: worker.container }) },
    });
    const spec = podSpec(one(synth(chart), 'Deployment'));
    expect(spec.containers[0].env).toEqual([
      {
        name: 'MEMORY_LIMIT',
        valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } },
      },
      { name: 'CPU_REQUEST', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'STORAGE', valueFrom: { resourceFieldRef: { resource: 'limits.ephemeral-storage' } } },
    ]);
    expect(spec.initContainers[0].env).toEqual([
      {
        name: 'APP_MEMORY',
        valueFrom: { resourceFieldRef: { resource: 'limits.memory', containerName: 'api' } },
      },
    ]);
  });

  test('init containers and sidecars take them as the app container does', () => {
    const spec = pod({
      initContainers: [
        {
          name: 'migrate',
          image: 'ghcr.io/acme/migrate:4.0.0',
          env: { NAMESPACE: EnvSource.fromField('metadata.namespace') },
        },
      ],
      sidecars: [
        {
          name: 'proxy',
          image: 'ghcr.io/acme/proxy:1.0.0',
          env: { TOKEN: EnvSource.fromSecretKey('proxy-token', 'token') },
        },
      ],
    });
    expect(spec.initContainers.map((c: { env: unknown }) => c.env)).toEqual([
      [{ name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } }],
      [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'proxy-token', key: 'token' } } }],
    ]);
  });

  test.each([
    [
      'a pod field Kubernetes does not expose as env',
      { NODE: EnvSource.fromField('spec.hostname' as PodField) },
      `test/api: env "NODE" of container "api" reads the pod field "spec.hostname", which Kubernetes does not expose as an environment variable. Read one of metadata.name, metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs, metadata.labels['<key>'], metadata.annotations['<key>']`,
    ],
    [
      'every label at once',
      { LABELS: EnvSource.fromField('metadata.labels' as PodField) },
      `test/api: env "LABELS" of container "api" reads the pod field "metadata.labels", which Kubernetes does not expose as an environment variable. Read one key of it, for example "metadata.labels['app.kubernetes.io/name']"`,
    ],
    [
      'a subscript of a field that has no keys',
      { NODE: EnvSource.fromField("spec.nodeName['x']" as PodField) },
      `test/api: env "NODE" of container "api" reads the pod field "spec.nodeName['x']", which Kubernetes does not expose as an environment variable. Read one of metadata.name, metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName, status.hostIP, status.hostIPs, status.podIP, status.podIPs, metadata.labels['<key>'], metadata.annotations['<key>']`,
    ],
    [
      'a label key that is not a qualified name',
      { TEAM: EnvSource.fromField("metadata.labels['team name']") },
      `test/api: env "TEAM" of container "api" reads the key "team name" of metadata.labels, which is not a valid key. Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, after an optional DNS subdomain and '/' (for example "app.kubernetes.io/name")`,
    ],
    [
      'an empty annotation key',
      { OWNER: EnvSource.fromField("metadata.annotations['']") },
      `test/api: env "OWNER" of container "api" reads the key "" of metadata.annotations, which is not a valid key. Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, after an optional DNS subdomain and '/' (for example "app.kubernetes.io/name")`,
    ],
    [
      'an empty ConfigMap key',
      { USER: EnvSource.fromConfigMapKey('demo-data', '') },
      'test/api: env "USER" of container "api" reads an empty key of ConfigMap "demo-data". Name the key to read',
    ],
    [
      'a ConfigMap key with a space',
      { USER: EnvSource.fromConfigMapKey('demo-data', 'demo user') },
      'test/api: env "USER" of container "api" reads the key "demo user" of ConfigMap "demo-data", which is not a valid key. Use at most 253 letters, digits, \'-\', \'_\' and \'.\', not "." and not starting with ".."',
    ],
    [
      'a Secret key starting with ".."',
      { TOKEN: EnvSource.fromSecretKey('api-token', '..token') },
      'test/api: env "TOKEN" of container "api" reads the key "..token" of Secret "api-token", which is not a valid key. Use at most 253 letters, digits, \'-\', \'_\' and \'.\', not "." and not starting with ".."',
    ],
    [
      'a ConfigMap name that is not a DNS subdomain',
      { USER: EnvSource.fromConfigMapKey('Demo_Data', 'USER') },
      `test/api: ConfigMap name of env "USER" of container "api" must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit), got "Demo_Data". Rename it, for example to "demo-data"`,
    ],
    [
      'a Secret name that is not a DNS subdomain',
      { TOKEN: EnvSource.fromSecretKey('API token', 'token') },
      `test/api: Secret name of env "TOKEN" of container "api" must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit), got "API token". Rename it, for example to "api-token"`,
    ],
    [
      'a resource Kubernetes does not expose',
      { GPUS: EnvSource.fromResource('limits.nvidia.com/gpu' as ContainerResourceField) },
      'test/api: env "GPUS" of container "api" reads the resource "limits.nvidia.com/gpu", which Kubernetes does not expose as an environment variable. Read one of limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory, requests.ephemeral-storage, or limits.hugepages-<size> or requests.hugepages-<size>',
    ],
    [
      'a CPU divisor other than 1 and 1m',
      { CPUS: EnvSource.fromResource('limits.cpu', { divisor: '1Mi' }) },
      'test/api: env "CPUS" of container "api" divides "limits.cpu" by "1Mi", which Kubernetes does not accept. Divide it by one of "1", "1m"',
    ],
    [
      'a memory divisor that is not one unit',
      { MEMORY: EnvSource.fromResource('requests.memory', { divisor: '256Mi' }) },
      'test/api: env "MEMORY" of container "api" divides "requests.memory" by "256Mi", which Kubernetes does not accept. Divide it by one of "1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei"',
    ],
  ])('refuses %s', (_what, env, message) => {
    expect(() => pod({ env })).toThrow(new Error(message));
  });

  test('refuses a variable set by both env and secretEnv', () => {
    expect(() =>
      pod({
        env: { TOKEN: 'literal' },
        secretEnv: { TOKEN: { secretName: 'api-token', key: 'token' } },
      }),
    ).toThrow(
      new Error(
        'test/api: env "TOKEN" of container "api" is set by both env and secretEnv. Set it in one of them',
      ),
    );
  });

  test.each([
    ['an "="', { 'A=B': '1' }, 'env name "A=B" of container "api"'],
    ['an empty name', { '': '1' }, 'env name "" of container "api"'],
    ['a character outside printable ASCII', { GRÜSSE: '1' }, 'env name "GRÜSSE" of container "api"'],
  ])('refuses an env name with %s', (_what, env, problem) => {
    expect(() => pod({ env })).toThrow(
      new Error(
        `test/api: ${problem} is not a valid environment variable name. Use one or more printable ASCII characters other than "="`,
      ),
    );
  });

  test('takes any other printable ASCII name, as Kubernetes 1.34+ does', () => {
    expect(pod({ env: { 'my.setting-1': 'x', '1ST': 'y' } }).containers[0].env).toEqual([
      { name: 'my.setting-1', value: 'x' },
      { name: '1ST', value: 'y' },
    ]);
  });

  test('names the init container or sidecar whose variable is wrong', () => {
    expect(() =>
      pod({
        sidecars: [
          {
            name: 'proxy',
            image: 'ghcr.io/acme/proxy:1.0.0',
            env: { TOKEN: EnvSource.fromSecretKey('proxy-token', '') },
          },
        ],
      }),
    ).toThrow(
      new Error(
        'test/api: env "TOKEN" of container "proxy" reads an empty key of Secret "proxy-token". Name the key to read',
      ),
    );
  });
});
