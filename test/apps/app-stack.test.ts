import { AppStack } from '../../lib/apps/app-stack.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { all, one, synth, testApp, testStack } from '../util/synth.js';

const image = 'ghcr.io/acme/app:1.0.0';

test('the stack owns a namespace that enforces Pod Security "restricted" and denies all traffic', () => {
  const objects = synth(testStack());
  const namespace = one(objects, 'Namespace', 'shop');
  expect(namespace.metadata.namespace).toBeUndefined();
  expect(namespace.metadata.labels).toMatchObject({
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/warn': 'restricted',
    'pod-security.kubernetes.io/audit': 'restricted',
  });
  expect(one(objects, 'NetworkPolicy', 'default-deny').spec).toEqual({
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
  });
  const dns = one(objects, 'NetworkPolicy', 'allow-dns').spec;
  expect(dns.egress[0].ports).toEqual([
    { port: 53, protocol: 'UDP' },
    { port: 53, protocol: 'TCP' },
  ]);
  expect(dns.egress[0].to[0].podSelector).toEqual({ matchLabels: { 'k8s-app': 'kube-dns' } });
});

test('workloads in a tier carry its labels; a tier reaches only the tiers allowed to it', () => {
  const stack = testStack();
  const web = stack.addTier('web');
  const app = stack.addTier('app');
  const data = stack.addTier('data');
  new WebService(web, 'storefront', { image });
  new WebService(app, 'api', { image });
  new Worker(data, 'db-proxy', { image });
  app.allowFrom(web);
  const objects = synth(stack);

  expect(one(objects, 'Deployment', 'storefront').spec.template.metadata.labels).toMatchObject({
    'app.kubernetes.io/part-of': 'shop',
    'app.kubernetes.io/component': 'web',
  });
  const policies = all(objects, 'NetworkPolicy').filter(
    (p) => !['default-deny', 'allow-dns'].includes(p.metadata.name),
  );
  expect(policies.map((p) => p.spec)).toEqual(
    expect.arrayContaining([
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'app' },
        },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                podSelector: {
                  matchLabels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'web' },
                },
              },
            ],
          },
        ],
      },
      {
        podSelector: {
          matchLabels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'web' },
        },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                podSelector: {
                  matchLabels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'app' },
                },
              },
            ],
          },
        ],
      },
    ]),
  );
  expect(policies.map((p) => p.metadata.name).sort()).toEqual([
    'app-tier-from-web-tier',
    'web-tier-to-app-tier',
  ]);
  expect(JSON.stringify(policies)).not.toContain('"data"');
});

test('workload.allowFrom opens exactly the target port between the two workloads', () => {
  const stack = testStack();
  const web = new WebService(stack, 'web', { image });
  const api = new WebService(stack, 'api', { image, port: 9000 });
  const [ingress, egress] = api.allowFrom(web);
  expect([ingress.name, egress.name]).toEqual(['api-from-web', 'web-to-api']);
  const objects = synth(stack);
  const ingressJson = one(objects, 'NetworkPolicy', ingress.name);
  expect(ingressJson.spec.podSelector.matchLabels).toEqual(api.podSelector);
  expect(ingressJson.spec.ingress).toEqual([
    { from: [{ podSelector: { matchLabels: web.podSelector } }], ports: [{ port: 9000, protocol: 'TCP' }] },
  ]);
  const egressJson = one(objects, 'NetworkPolicy', egress.name);
  expect(egressJson.spec.podSelector.matchLabels).toEqual(web.podSelector);
  expect(egressJson.spec.egress).toEqual([
    { to: [{ podSelector: { matchLabels: api.podSelector } }], ports: [{ port: 9000, protocol: 'TCP' }] },
  ]);
});

test('egress to a CIDR block, and a malformed block is refused', () => {
  const stack = testStack();
  const api = new WebService(stack, 'api', { image });
  const policy = api.allowEgressToCidr('10.20.0.0/16', { ports: [5432] });
  expect(policy.name).toBe('api-to-10-20-0-0-16');
  expect(one(synth(stack), 'NetworkPolicy', policy.name).spec.egress).toEqual([
    { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
  ]);
  expect(() => api.allowEgressToCidr('10.20.0.0/33')).toThrow(
    new Error('shop/api: egress CIDR "10.20.0.0/33" is not an IPv4 CIDR block. Write it as "10.0.0.0/16"'),
  );
});

test('a namespace that is not DNS-1123 is refused', () => {
  expect(() => new AppStack(testApp(), 'shop', { namespace: 'Shop' })).toThrow(
    new Error(
      'shop: namespace must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Shop". Rename it, for example to "shop"',
    ),
  );
});
