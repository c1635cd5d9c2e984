import { ConfigMap } from '../../lib/apps/config-map.js';
import { ExistingSecret } from '../../lib/apps/existing-secret.js';
import { WebService } from '../../lib/apps/web-service.js';
import { one, podSpec, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/api:1.0.0';

test('grantRead makes a Role for that one ConfigMap, bound to the workload, and mounts its token', () => {
  const chart = testChart();
  const config = new ConfigMap(chart, 'config', { metadata: { name: 'api-config' } });
  const api = new WebService(chart, 'api', { image });
  const role = config.grantRead(api);
  const objects = synth(chart);

  expect(one(objects, 'Role', role.name).rules).toEqual([
    {
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['api-config'],
      verbs: ['get', 'list', 'watch'],
    },
  ]);
  const binding = one(objects, 'RoleBinding');
  expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name });
  expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'api', namespace: 'test' }]);
  expect(podSpec(one(objects, 'Deployment')).automountServiceAccountToken).toBe(true);
});

test('grantReadWrite and a named verb set', () => {
  const chart = testChart();
  const config = new ConfigMap(chart, 'config', { metadata: { name: 'leader' } });
  const api = new WebService(chart, 'api', { image });
  const worker = new WebService(chart, 'worker', { image });
  const readWrite = config.grantReadWrite(api);
  const patchOnly = config.grant(worker, ['get', 'patch']);
  const objects = synth(chart);
  expect(one(objects, 'Role', readWrite.name).rules[0].verbs).toEqual([
    'get',
    'list',
    'watch',
    'create',
    'update',
    'patch',
    'delete',
  ]);
  expect(one(objects, 'Role', patchOnly.name).rules[0].verbs).toEqual(['get', 'patch']);
});

test('an existing Secret can be read by the workload it is granted to, and by no other', () => {
  const chart = testChart();
  const secret = new ExistingSecret(chart, 'db', { secretName: 'db-credentials' });
  const api = new WebService(chart, 'api', { image });
  new WebService(chart, 'web', { image });
  secret.grantRead(api);
  const objects = synth(chart);
  expect(one(objects, 'Role').rules).toEqual([
    {
      apiGroups: [''],
      resources: ['secrets'],
      resourceNames: ['db-credentials'],
      verbs: ['get', 'list', 'watch'],
    },
  ]);
  expect(podSpec(one(objects, 'Deployment', 'web')).automountServiceAccountToken).toBe(false);
});

test('wildcard and unknown verbs are refused', () => {
  const chart = testChart();
  const config = new ConfigMap(chart, 'config', { metadata: { name: 'api-config' } });
  const api = new WebService(chart, 'api', { image });
  expect(() => config.grant(api, ['*' as 'get'])).toThrow(
    new Error(
      'test/api: a grant on configmaps/api-config needs known verbs, got "*". Name verbs from get, list, watch, create, update, patch, delete, deletecollection; wildcards are never granted',
    ),
  );
  expect(() => config.grant(api, [])).toThrow('needs known verbs, got ""');
});

test('a second grant on the same object to the same workload is refused', () => {
  const chart = testChart();
  const config = new ConfigMap(chart, 'config', { metadata: { name: 'api-config' } });
  const api = new WebService(chart, 'api', { image });
  config.grantRead(api);
  expect(() => config.grantReadWrite(api)).toThrow(
    new Error(
      'test/api: it already has a grant on configmaps/api-config. Grant every verb it needs in one call, for example grant(workload, [...verbs])',
    ),
  );
});

test('an existing Secret may have dots in its name, but not capitals', () => {
  const chart = testChart();
  expect(new ExistingSecret(chart, 'tls', { secretName: 'shop.example.com-tls' }).secret.name).toBe(
    'shop.example.com-tls',
  );
  expect(() => new ExistingSecret(chart, 'bad', { secretName: 'DB_Credentials' })).toThrow(
    new Error(
      'test/bad: secretName must be a DNS-1123 subdomain (at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit), got "DB_Credentials". Rename it, for example to "db-credentials"',
    ),
  );
});

test("cdk8s-plus's own grant methods on the ConfigMap mount the token too", () => {
  const chart = testChart();
  const config = new ConfigMap(chart, 'config', { metadata: { name: 'api-config' } });
  const api = new WebService(chart, 'api', { image });
  const worker = new WebService(chart, 'worker', { image });
  const untouched = new WebService(chart, 'idle', { image });
  config.permissions.grantRead(api);
  config.permissions.grantReadWrite(worker.serviceAccount);
  const objects = synth(chart);

  const token = (name: string) => podSpec(one(objects, 'Deployment', name)).automountServiceAccountToken;
  expect([token('api'), token('worker'), token('idle')]).toEqual([true, true, false]);
  expect(untouched.serviceAccount.name).toBe('idle');
  const subjects = objects.filter((o) => o.kind === 'RoleBinding').map((b) => b.subjects);
  expect(subjects).toEqual([
    [{ kind: 'ServiceAccount', name: 'api', namespace: 'test', apiGroup: '' }],
    [{ kind: 'ServiceAccount', name: 'worker', namespace: 'test', apiGroup: '' }],
  ]);
});
