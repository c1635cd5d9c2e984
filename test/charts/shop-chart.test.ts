import { ShopChart } from '../../charts/shop-chart.js';
import { all, one, podSpec, synth, testApp } from '../util/synth.js';

function shop() {
  return synth(new ShopChart(testApp(), 'shop'));
}

test('the shop is three tiers of workloads in one locked-down namespace', () => {
  const objects = shop();
  expect(one(objects, 'Namespace', 'shop').metadata.labels['pod-security.kubernetes.io/enforce']).toBe(
    'restricted',
  );
  expect(
    all(objects, 'Deployment')
      .map((d) => d.metadata.name)
      .sort(),
  ).toEqual(['api', 'orders-worker', 'storefront']);
  expect(all(objects, 'CronJob').map((d) => d.metadata.name)).toEqual(['nightly-report']);
  expect(
    all(objects, 'Service')
      .map((d) => d.metadata.name)
      .sort(),
  ).toEqual(['api', 'storefront', 'storefront-preview']);
  expect(
    all(objects, 'ServiceAccount')
      .map((d) => d.metadata.name)
      .sort(),
  ).toEqual(['api', 'nightly-report', 'orders-worker', 'storefront']);
  for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
    expect(o.metadata.namespace).toBe('shop');
    expect(o.metadata.labels['app.kubernetes.io/part-of']).toBe('shop');
  }
});

test('each Service selects exactly its Deployment pods and targets the container port', () => {
  const objects = shop();
  for (const service of all(objects, 'Service')) {
    const deployment = one(objects, 'Deployment', service.metadata.name.replace(/-preview$/, ''));
    const podLabels = deployment.spec.template.metadata.labels;
    expect(deployment.spec.selector.matchLabels).toEqual(service.spec.selector);
    for (const [key, value] of Object.entries(service.spec.selector)) {
      expect(podLabels[key]).toBe(value);
    }
    expect(podSpec(deployment).containers[0].ports[0].containerPort).toBe(service.spec.ports[0].targetPort);
  }
});

test('only the api mounts a token, because only it was granted something: reading its ConfigMap', () => {
  const objects = shop();
  const tokens = Object.fromEntries(
    [...all(objects, 'Deployment'), ...all(objects, 'CronJob')].map((w) => [
      w.metadata.name,
      podSpec(w).automountServiceAccountToken,
    ]),
  );
  expect(tokens).toEqual({ storefront: false, api: true, 'orders-worker': false, 'nightly-report': false });
  expect(one(objects, 'Role').rules).toEqual([
    {
      apiGroups: [''],
      resources: ['configmaps'],
      resourceNames: ['api-config'],
      verbs: ['get', 'list', 'watch'],
    },
  ]);
});

test('the storefront is reachable from outside through TLS; the api only from the storefront and the workers (and Prometheus on its port)', () => {
  const objects = shop();
  expect(one(objects, 'Ingress').spec.tls).toEqual([
    { hosts: ['shop.example.com'], secretName: 'shop-example-com-tls' },
  ]);
  const apiPods = one(objects, 'Deployment', 'api').spec.template.metadata.labels;
  const ingressToApi = all(objects, 'NetworkPolicy').filter(
    (p) =>
      p.spec.ingress && Object.entries(p.spec.podSelector.matchLabels).every(([k, v]) => apiPods[k] === v),
  );
  const sources = ingressToApi.flatMap((p) =>
    p.spec.ingress.flatMap((r: any) =>
      r.from.map((f: any) => f.podSelector?.matchLabels ?? f.namespaceSelector.matchLabels),
    ),
  );
  expect(sources).toEqual(
    expect.arrayContaining([
      one(objects, 'Deployment', 'storefront').spec.selector.matchLabels,
      { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/component': 'workers' },
      { 'kubernetes.io/metadata.name': 'monitoring' },
    ]),
  );
  expect(sources).toHaveLength(3);
});

test('images and namespace can be set', () => {
  const objects = synth(
    new ShopChart(testApp(), 'shop', {
      namespace: 'shop-staging',
      registry: 'registry.example.com/shop',
      version: '2.0.0',
    }),
  );
  expect(one(objects, 'Namespace').metadata.name).toBe('shop-staging');
  expect(podSpec(one(objects, 'Deployment', 'api')).containers[0].image).toBe(
    'registry.example.com/shop/api:2.0.0',
  );
});

test('the api ships as a canary behind alarms; the storefront blue/green with analyses around the switch', () => {
  const objects = shop();
  const api = one(objects, 'Rollout', 'api').spec.strategy.canary;
  expect(api.steps).toEqual([
    { setWeight: 10 },
    { pause: { duration: '5m' } },
    { analysis: { templates: [{ templateName: 'api-step-3' }], args: expect.any(Array) } },
  ]);
  expect(api.analysis).toMatchObject({ templates: [{ templateName: 'api-alarms' }] });
  expect(one(objects, 'AnalysisTemplate', 'api-alarms').spec.metrics.map((m: any) => m.name)).toEqual([
    'error-rate',
    'latency-p99',
  ]);
  const storefront = one(objects, 'Rollout', 'storefront').spec.strategy.blueGreen;
  expect(storefront).toMatchObject({
    activeService: 'storefront',
    previewService: 'storefront-preview',
    prePromotionAnalysis: { templates: [{ templateName: 'storefront-pre-promotion' }] },
    postPromotionAnalysis: { templates: [{ templateName: 'storefront-post-promotion' }] },
  });
  expect(one(objects, 'Deployment', 'api').spec.replicas).toBe(0);
});
