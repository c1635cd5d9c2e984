import { AppStack } from '../../lib/apps/app-stack.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { ServiceKind } from '../../lib/apps/service-kind.js';
import type { WebServiceProps } from '../../lib/apps/web-service.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { TrafficRouter } from '../../lib/delivery/traffic-router.js';
import { checkPolicies } from '../../lib/security/policy.js';
import { all, one, podSpec, synth, testApp, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/checkout:1.0.0';
const ports: WebServiceProps['ports'] = [
  { name: 'grpc', number: 5050, appProtocol: 'grpc' },
  { name: 'http', number: 8080, servicePort: 80, appProtocol: 'http' },
  { name: 'metrics', number: 9090 },
];

describe('named ports', () => {
  test('each is a named container port and a Service port of the same name; the first is the main port', () => {
    const chart = testChart();
    const checkout = new WebService(chart, 'checkout', { image, ports });
    const objects = synth(chart);
    const pod = podSpec(one(objects, 'Deployment', 'checkout'));
    expect(pod.containers[0].ports).toEqual([
      { containerPort: 5050, name: 'grpc' },
      { containerPort: 8080, name: 'http' },
      { containerPort: 9090, name: 'metrics' },
    ]);
    expect(pod.containers[0].readinessProbe).toEqual({ failureThreshold: 3, tcpSocket: { port: 5050 } });
    expect(one(objects, 'Service', 'checkout').spec.ports).toEqual([
      { appProtocol: 'grpc', name: 'grpc', port: 5050, targetPort: 5050 },
      { appProtocol: 'http', name: 'http', port: 80, targetPort: 8080 },
      { name: 'metrics', port: 9090, targetPort: 9090 },
    ]);
    expect(checkout.port).toBe(5050);
    expect(checkout.servicePort).toBe(5050);
    expect(checkout.ingressPorts).toEqual([5050, 8080, 9090]);
  });

  test('a Worker may have named ports without a Service', () => {
    const chart = testChart();
    new Worker(chart, 'consumer', { image, ports: [{ name: 'metrics', number: 9090 }] });
    const objects = synth(chart);
    expect(podSpec(one(objects, 'Deployment')).containers[0].ports).toEqual([
      { containerPort: 9090, name: 'metrics' },
    ]);
    expect(all(objects, 'Service')).toEqual([]);
  });

  test('a check may probe any of the ports', () => {
    const chart = testChart();
    new WebService(chart, 'checkout', {
      image,
      ports,
      liveness: HealthCheck.http('/healthz', { port: 9090 }),
    });
    expect(podSpec(one(synth(chart), 'Deployment')).containers[0].livenessProbe.httpGet).toEqual({
      path: '/healthz',
      port: 9090,
      scheme: 'HTTP',
    });
  });

  test('allowFrom opens every port by default', () => {
    const stack = new AppStack(testApp(), 'shop', { namespace: 'shop' });
    const checkout = new WebService(stack, 'checkout', { image, ports });
    const frontend = new WebService(stack, 'frontend', { image });
    checkout.allowFrom(frontend);
    expect(one(synth(stack), 'NetworkPolicy', 'checkout-from-frontend').spec.ingress[0].ports).toEqual([
      { port: 5050, protocol: 'TCP' },
      { port: 8080, protocol: 'TCP' },
      { port: 9090, protocol: 'TCP' },
    ]);
  });

  test('the Ingress routes to the main port, or to the port it names', () => {
    const chart = testChart();
    new WebService(chart, 'main', { image, ports, ingress: { host: 'a.example.com' } });
    new WebService(chart, 'named', { image, ports, ingress: { host: 'b.example.com', port: 'http' } });
    const objects = synth(chart);
    const backend = (name: string) =>
      one(objects, 'Ingress', name).spec.rules[0].http.paths[0].backend.service;
    expect(backend('main')).toEqual({ name: 'main', port: { number: 5050 } });
    expect(backend('named')).toEqual({ name: 'named', port: { number: 80 } });
  });
});

describe('additional Services', () => {
  test('an external LoadBalancer and a headless Service beside the ClusterIP one, each selecting the pods', () => {
    const stack = new AppStack(testApp(), 'shop', { namespace: 'shop' });
    const checkout = new WebService(stack, 'checkout', {
      image,
      ports,
      additionalServices: [
        {
          name: 'checkout-public',
          kind: ServiceKind.loadBalancer({ reason: 'partners call the API directly' }),
          ports: ['http'],
        },
        { name: 'checkout-pods', kind: ServiceKind.headless() },
        { name: 'checkout-grpc', ports: ['grpc'] },
      ],
    });
    const objects = synth(stack);
    const selector = { 'app.kubernetes.io/name': 'checkout' };
    expect(one(objects, 'Service', 'checkout').spec).toEqual({
      type: 'ClusterIP',
      externalIPs: [],
      ports: [
        { appProtocol: 'grpc', name: 'grpc', port: 5050, targetPort: 5050 },
        { appProtocol: 'http', name: 'http', port: 80, targetPort: 8080 },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
      selector,
    });
    const publicService = one(objects, 'Service', 'checkout-public');
    expect(publicService.metadata.annotations).toEqual({
      'policy.cdk8s-devops.io/waive-load-balancer': 'partners call the API directly',
    });
    expect(publicService.spec).toEqual({
      type: 'LoadBalancer',
      externalIPs: [],
      ports: [{ appProtocol: 'http', name: 'http', port: 80, targetPort: 8080 }],
      selector,
    });
    expect(one(objects, 'Service', 'checkout-pods').spec).toEqual({
      type: 'ClusterIP',
      clusterIP: 'None',
      externalIPs: [],
      ports: [
        { appProtocol: 'grpc', name: 'grpc', port: 5050, targetPort: 5050 },
        { appProtocol: 'http', name: 'http', port: 80, targetPort: 8080 },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
      selector,
    });
    expect(one(objects, 'Service', 'checkout-grpc').spec.ports).toEqual([
      { appProtocol: 'grpc', name: 'grpc', port: 5050, targetPort: 5050 },
    ]);
    expect(checkout.additionalServices.map((s) => s.name)).toEqual([
      'checkout-public',
      'checkout-pods',
      'checkout-grpc',
    ]);
    // The load balancer's clients come from anywhere, to the ports it serves; nothing else is opened.
    expect(one(objects, 'NetworkPolicy', 'checkout-from-lb-checkout-public').spec).toEqual({
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    });
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name)).toEqual([
      'default-deny',
      'allow-dns',
      'checkout-from-lb-checkout-public',
    ]);
    expect(checkPolicies(stack)).toEqual([]);
  });

  test('a workload with port alone serves it as "http" on every Service', () => {
    const chart = testChart();
    new WebService(chart, 'api', {
      image,
      servicePort: 8000,
      loadBalancer: { reason: 'legacy clients' },
      additionalServices: [{ name: 'api-headless', kind: ServiceKind.headless(), ports: ['http'] }],
    });
    const objects = synth(chart);
    for (const name of ['api', 'api-headless']) {
      expect(one(objects, 'Service', name).spec.ports).toEqual([
        { name: 'http', port: 8000, targetPort: 8080 },
      ]);
    }
    expect(one(objects, 'NetworkPolicy', 'api-from-lb-api').spec.ingress[0].ports).toEqual([
      { port: 8080, protocol: 'TCP' },
    ]);
  });

  test("the blue/green preview and the canary Services carry the workload Service's port names and appProtocols", () => {
    const chart = testChart();
    new WebService(chart, 'bg', { image, ports, strategy: DeploymentStrategy.blueGreen() });
    new WebService(chart, 'canary', {
      image,
      ports,
      ingress: { host: 'c.example.com' },
      strategy: DeploymentStrategy.trafficSplitting({ trafficRouter: TrafficRouter.nginx() }),
    });
    const objects = synth(chart);
    const named = [
      { appProtocol: 'grpc', name: 'grpc', port: 5050, targetPort: 5050 },
      { appProtocol: 'http', name: 'http', port: 80, targetPort: 8080 },
      { name: 'metrics', port: 9090, targetPort: 9090 },
    ];
    for (const name of ['bg', 'bg-preview', 'canary', 'canary-canary']) {
      expect(one(objects, 'Service', name).spec.ports).toEqual(named);
    }
  });
});

describe('validation of ports and Services', () => {
  const web = (props: Partial<WebServiceProps>) => () =>
    new WebService(testChart(), 'api', { image, ...props });
  const cases: [string, () => void, string][] = [
    [
      'port and ports together',
      web({ port: 8080, ports }),
      'test/api: port (8080) and ports are both set. List the main port first in ports and drop port, or drop ports',
    ],
    ['no ports', web({ ports: [] }), 'test/api: ports is empty. List at least one port, or leave ports out'],
    [
      'a port name with capitals',
      web({ ports: [{ name: 'HTTP', number: 80 }] }),
      'test/api: ports[0].name must be an IANA service name (at most 15 lowercase letters, digits and \'-\', with at least one letter, no \'--\', starting and ending with a letter or digit), got "HTTP". Name it like "http", "grpc" or "metrics"',
    ],
    [
      'a port name of 16 characters',
      web({ ports: [{ name: 'metrics-exporter', number: 9100 }] }),
      'test/api: ports[0].name must be an IANA service name (at most 15 lowercase letters, digits and \'-\', with at least one letter, no \'--\', starting and ending with a letter or digit), got "metrics-exporter". Name it like "http", "grpc" or "metrics"',
    ],
    [
      'a port name of digits only',
      web({ ports: [{ name: '8080', number: 8080 }] }),
      'test/api: ports[0].name must be an IANA service name (at most 15 lowercase letters, digits and \'-\', with at least one letter, no \'--\', starting and ending with a letter or digit), got "8080". Name it like "http", "grpc" or "metrics"',
    ],
    [
      'a port number out of range',
      web({ ports: [{ name: 'http', number: 0 }] }),
      'test/api: ports[0].number must be a whole number between 1 and 65535, got 0. Use a port between 1 and 65535',
    ],
    [
      'a Service port out of range',
      web({ ports: [{ name: 'http', number: 8080, servicePort: 65536 }] }),
      'test/api: ports[0].servicePort must be a whole number between 1 and 65535, got 65536. Use a port between 1 and 65535',
    ],
    [
      'an appProtocol with a space',
      web({ ports: [{ name: 'http', number: 8080, appProtocol: 'http 2' }] }),
      'test/api: ports[0].appProtocol must be a protocol name like "http", "grpc" or "kubernetes.io/h2c", got "http 2". Use an IANA service name, or a name prefixed with a domain',
    ],
    [
      'two ports of one name',
      web({
        ports: [
          { name: 'http', number: 8080 },
          { name: 'http', number: 8081 },
        ],
      }),
      'test/api: ports[0] and ports[1] have the same name, "http". Give each port its own name',
    ],
    [
      'two ports of one number',
      web({
        ports: [
          { name: 'http', number: 8080 },
          { name: 'admin', number: 8080 },
        ],
      }),
      'test/api: ports[0] and ports[1] have the same number, 8080. Give each port its own number',
    ],
    [
      'two ports on one Service port',
      web({
        ports: [
          { name: 'http', number: 8080, servicePort: 80 },
          { name: 'admin', number: 8081, servicePort: 80 },
        ],
      }),
      'test/api: ports[0] and ports[1] have the same servicePort, 80. Give each port its own servicePort',
    ],
    [
      'servicePort with ports',
      web({ ports, servicePort: 80 }),
      'test/api: servicePort (80) applies to port alone, and the workload has ports. Set servicePort on each of ports instead',
    ],
    [
      'an additional Service named like the workload',
      web({ additionalServices: [{ name: 'api' }] }),
      'test/api: additionalServices[0].name "api" is taken by another Service of the workload. Give each Service its own name',
    ],
    [
      'two additional Services of one name',
      web({ additionalServices: [{ name: 'api-lb' }, { name: 'api-lb' }] }),
      'test/api: additionalServices[1].name "api-lb" is taken by another Service of the workload. Give each Service its own name',
    ],
    [
      'an additional Service name that is not DNS-1123',
      web({ additionalServices: [{ name: 'Api.Public' }] }),
      'test/api: additionalServices[0].name must be a DNS-1123 label (at most 63 lowercase letters, digits and \'-\', starting and ending with a letter or digit), got "Api.Public". Rename it, for example to "api-public"',
    ],
    [
      'an additional Service of a port the workload lacks',
      web({ ports, additionalServices: [{ name: 'api-admin', ports: ['admin'] }] }),
      'test/api: additionalServices[0].ports names "admin", which neither the workload nor its sidecars have (their ports: "grpc", "http", "metrics"). Name one of their ports; a sidecar port needs a name, and the sidecar must be in the sidecars prop',
    ],
    [
      'an additional Service of no port',
      web({ additionalServices: [{ name: 'api-none', ports: [] }] }),
      'test/api: additionalServices[0].ports is empty. Name at least one port, or leave ports out for all',
    ],
    [
      'an Ingress to a port the Service lacks',
      web({ ports, ingress: { host: 'a.example.com', port: 'admin' } }),
      'test/api: ingress.port names "admin", which the Service does not have (its ports: "grpc", "http", "metrics"). Name one of its ports',
    ],
    [
      'a check of a port the container lacks, with several ports',
      web({ ports, readiness: HealthCheck.tcp({ port: 7000 }) }),
      'test/api: readiness check of container "api" probes port 7000, which the container does not expose (its ports: 5050, 8080, 9090). Probe port 5050 or 8080 or 9090, or give the container port 7000',
    ],
  ];
  test.each(cases)('%s is refused', (_name, build, message) => {
    expect(build).toThrow(new Error(message));
  });
});
