import { Chart } from 'cdk8s';
import { AppStack } from '../../lib/apps/app-stack.js';
import { WebService } from '../../lib/apps/web-service.js';
import { ExternalPeer } from '../../lib/security/network.js';
import { one, synth, testApp } from '../util/synth.js';

const image = 'ghcr.io/acme/api:1.0.0';

test('workloads of two AppStacks reach each other through namespace selectors', () => {
  const app = testApp();
  const shop = new AppStack(app, 'shop', { namespace: 'shop' });
  const payments = new AppStack(app, 'payments', { namespace: 'payments' });
  const api = new WebService(shop, 'api', { image });
  const ledger = new WebService(payments, 'ledger', { image });
  ledger.allowFrom(api);
  expect(one(synth(payments), 'NetworkPolicy', 'ledger-from-api').spec.ingress).toEqual([
    {
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
        },
      ],
      ports: [{ port: 8080, protocol: 'TCP' }],
    },
  ]);
  expect(one(synth(shop), 'NetworkPolicy', 'api-to-ledger').spec.egress[0].to).toEqual([
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ledger' } },
    },
  ]);
});

test('the ingress controller, monitoring, another namespace and anywhere get an ingress policy each', () => {
  const stack = new AppStack(testApp(), 'shop', { namespace: 'shop' });
  const api = new WebService(stack, 'api', { image });
  expect(api.allowFrom(ExternalPeer.ingressController())).toHaveLength(1);
  api.allowFrom(ExternalPeer.monitoring(), { ports: [9090] });
  api.allowFrom(ExternalPeer.namespace('batch'));
  api.allowFrom(ExternalPeer.anywhere());
  const objects = synth(stack);
  const from = (name: string) => one(objects, 'NetworkPolicy', name).spec.ingress[0];
  expect(from('api-from-ingress-controller').from).toEqual([
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
    },
  ]);
  expect(from('api-from-monitoring')).toEqual({
    from: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } },
      },
    ],
    ports: [{ port: 9090, protocol: 'TCP' }],
  });
  expect(from('api-from-ns-batch').from).toEqual([
    { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'batch' } } },
  ]);
  expect(from('api-from-anywhere').from).toEqual([{ ipBlock: { cidr: '0.0.0.0/0' } }]);
});

test('a rule that could never match is a synth error', () => {
  const app = testApp();
  const api = new WebService(new AppStack(app, 'shop', { namespace: 'shop' }), 'api', { image });
  const tool = new WebService(new Chart(app, 'tools'), 'tool', { image });
  expect(() => api.allowFrom(tool)).toThrow(
    new Error(
      'shop/api: a NetworkPolicy between "api" and "tool" cannot tell whether they share a namespace (only one of their charts sets one), so it could never match. Set namespace on both charts',
    ),
  );
});

test('calls draws the call graph: an egress policy on the caller and an ingress policy on each callee, across AppStacks too', () => {
  const app = testApp();
  const shop = new AppStack(app, 'shop', { namespace: 'shop' });
  const payments = new AppStack(app, 'payments', { namespace: 'payments' });
  const frontend = new WebService(shop, 'frontend', { image });
  const cart = new WebService(shop, 'cart', { image, ports: [{ name: 'grpc', number: 7070 }] });
  const catalog = new WebService(shop, 'catalog', { image, port: 3550 });
  const ledger = new WebService(payments, 'ledger', { image });
  const policies = frontend.calls(cart, catalog, ledger);
  expect(policies.map((p) => p.name)).toEqual([
    'cart-from-frontend',
    'frontend-to-cart',
    'catalog-from-frontend',
    'frontend-to-catalog',
    'ledger-from-frontend',
    'frontend-to-ledger',
  ]);
  const objects = synth(shop);
  expect(one(objects, 'NetworkPolicy', 'frontend-to-cart').spec).toEqual({
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cart' } } }],
        ports: [{ port: 7070, protocol: 'TCP' }],
      },
    ],
  });
  expect(one(objects, 'NetworkPolicy', 'catalog-from-frontend').spec.ingress).toEqual([
    {
      from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } } }],
      ports: [{ port: 3550, protocol: 'TCP' }],
    },
  ]);
  expect(one(objects, 'NetworkPolicy', 'frontend-to-ledger').spec.egress[0].to).toEqual([
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ledger' } },
    },
  ]);
  expect(one(synth(payments), 'NetworkPolicy', 'ledger-from-frontend').spec.ingress[0].from).toEqual([
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } },
    },
  ]);
});

test('a tier calls workloads and tiers', () => {
  const stack = new AppStack(testApp(), 'shop', { namespace: 'shop' });
  const web = stack.addTier('web');
  const data = stack.addTier('data');
  const search = new WebService(stack, 'search', { image, port: 9200 });
  expect(web.calls(data, search).map((p) => p.name)).toEqual([
    'data-tier-from-web-tier',
    'web-tier-to-data-tier',
    'search-from-web-tier',
    'web-tier-to-search',
  ]);
});

test('a namespace peer whose name no namespace can have is a synth error', () => {
  const api = new WebService(new AppStack(testApp(), 'shop', { namespace: 'shop' }), 'api', { image });
  expect(() => api.allowFrom(ExternalPeer.namespace('Batch_Jobs'))).toThrow(
    new Error(
      'shop/api: the namespace of ExternalPeer "ns-Batch_Jobs" must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Batch_Jobs". Rename it, for example to "batch-jobs"',
    ),
  );
  expect(() => api.allowFrom(ExternalPeer.monitoring('Monitoring'))).toThrow(
    'the namespace of ExternalPeer "monitoring" must be a DNS-1123 label',
  );
});
