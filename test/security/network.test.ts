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
