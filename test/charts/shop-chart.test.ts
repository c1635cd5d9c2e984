import { Testing } from 'cdk8s';
import { ShopChart } from '../../charts/shop-chart.js';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
}

function synth(): K8sObject[] {
  return Testing.synth(new ShopChart(Testing.app(), 'shop', { namespace: 'shop' })) as K8sObject[];
}

function only(objects: K8sObject[], kind: string): K8sObject {
  const matches = objects.filter((o) => o.kind === kind);
  expect(matches).toHaveLength(1);
  return matches[0];
}

test('the api runs as a Deployment behind a Service, with its own ServiceAccount', () => {
  const objects = synth();
  expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
    'Deployment/shop-api-c8f8f8d3',
    'Service/api',
    'ServiceAccount/shop-api-sa-c8372945',
  ]);
  for (const o of objects) {
    expect(o.metadata.namespace).toBe('shop');
    expect(o.metadata.labels?.['app.kubernetes.io/part-of']).toBe('shop');
  }
});

test("the Service selects exactly the Deployment's pods and targets the container port", () => {
  const objects = synth();
  const deployment = only(objects, 'Deployment');
  const service = only(objects, 'Service');
  const podLabels = deployment.spec.template.metadata.labels;
  expect(deployment.spec.selector.matchLabels).toEqual(
    Object.fromEntries(Object.keys(deployment.spec.selector.matchLabels).map((k) => [k, podLabels[k]])),
  );
  for (const [key, value] of Object.entries(service.spec.selector)) {
    expect(podLabels[key]).toBe(value);
  }
  const containerPorts = deployment.spec.template.spec.containers.flatMap((c: any) =>
    c.ports.map((p: any) => p.containerPort),
  );
  expect(containerPorts).toContain(service.spec.ports[0].targetPort);
});

test('the Deployment runs as the chart ServiceAccount without an API token', () => {
  const objects = synth();
  const pod = only(objects, 'Deployment').spec.template.spec;
  expect(pod.serviceAccountName).toBe(only(objects, 'ServiceAccount').metadata.name);
  expect(pod.automountServiceAccountToken).toBe(false);
});

test('the api image can be overridden', () => {
  const chart = new ShopChart(Testing.app(), 'shop', { apiImage: 'registry.example.com/api:2.0.0' });
  const deployment = (Testing.synth(chart) as K8sObject[]).find((o) => o.kind === 'Deployment')!;
  expect(deployment.spec.template.spec.containers[0].image).toBe('registry.example.com/api:2.0.0');
});
