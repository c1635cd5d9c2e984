/**
 * The settings an app ported from upstream manifests needs, each through a prop: capabilities that
 * "restricted" allows, NodePort Services, Service labels and annotations, the image pull policy, a
 * sidecar's port behind a Service, calls narrowed to ports, and an untagged image accepted as latest.
 */
import { ServiceKind } from '../../lib/apps/service-kind.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import { WebService } from '../../lib/apps/web-service.js';
import { checkPolicies } from '../../lib/security/policy.js';
import { one, podSpec, synth, testChart, testStack } from '../util/synth.js';

const image = 'ghcr.io/acme/web:1.0.0';
const exporter = {
  name: 'exporter',
  image: 'ghcr.io/acme/exporter:2.0.0',
  ports: [{ name: 'metrics', number: 9419 }],
};

describe('capabilities', () => {
  test('NET_BIND_SERVICE is added back on the app container and a sidecar, and passes the policies', () => {
    const stack = testStack();
    new WebService(stack, 'web', {
      image,
      port: 80,
      addCapabilities: ['NET_BIND_SERVICE'],
      sidecars: [{ ...exporter, addCapabilities: ['NET_BIND_SERVICE'] }],
    });
    const pod = podSpec(one(synth(stack), 'Deployment'));
    for (const container of [pod.containers[0], pod.initContainers[0]]) {
      expect(container.securityContext.capabilities).toEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
    }
    expect(checkPolicies(stack)).toEqual([]);
  });

  test('none is added by default', () => {
    const chart = testChart();
    new WebService(chart, 'web', { image });
    expect(podSpec(one(synth(chart), 'Deployment')).containers[0].securityContext.capabilities).toEqual({
      drop: ['ALL'],
    });
  });

  test.each([
    ['SYS_ADMIN', 'web'],
    ['CAP_NET_BIND_SERVICE', 'web'],
  ])('%s is refused at synth', (capability) => {
    expect(() => new WebService(testChart(), 'web', { image, addCapabilities: [capability] })).toThrow(
      new Error(
        `test/web: addCapabilities of container "web" names "${capability}", which Pod Security "restricted" does not allow. Add only "NET_BIND_SERVICE" (without the "CAP_" prefix); run what needs more outside this namespace`,
      ),
    );
  });
});

describe('NodePort Services', () => {
  test('a fixed nodePort, and ingress from anywhere to the port it forwards to', () => {
    const chart = testChart();
    new WebService(chart, 'frontend', {
      image,
      serviceKind: ServiceKind.nodePort({ nodePorts: { http: 30080 } }),
    });
    const objects = synth(chart);
    const service = one(objects, 'Service', 'frontend');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'http', nodePort: 30080, port: 80, targetPort: 8080 }]);
    expect(one(objects, 'NetworkPolicy', 'frontend-from-np-frontend').spec.ingress).toEqual([
      { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 8080, protocol: 'TCP' }] },
    ]);
  });

  test('an additional NodePort Service beside a StatefulService', () => {
    const chart = testChart();
    new StatefulService(chart, 'db', {
      image,
      port: 5432,
      additionalServices: [{ name: 'db-nodes', kind: ServiceKind.nodePort() }],
    });
    const service = one(synth(chart), 'Service', 'db-nodes');
    expect(service.spec.type).toBe('NodePort');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 5432, targetPort: 5432 }]);
  });

  test('a node port of a port the Service lacks is refused', () => {
    expect(
      () =>
        new WebService(testChart(), 'frontend', {
          image,
          serviceKind: ServiceKind.nodePort({ nodePorts: { web: 30080 } }),
        }),
    ).toThrow(
      new Error(
        'test/frontend: the node port of Service "frontend" names port "web", which the Service does not have (its ports: "http"). Key nodePorts by the name of one of its ports',
      ),
    );
  });

  test('a StatefulService cannot name its pods through a node port', () => {
    expect(
      () =>
        new StatefulService(testChart(), 'db', { image, port: 5432, serviceKind: ServiceKind.nodePort() }),
    ).toThrow(
      new Error(
        'test/db: serviceKind is "node-port", but the Service that names the pods must stay inside the cluster. Add the node port or load balancer as one of additionalServices',
      ),
    );
  });
});

describe('Service labels and annotations', () => {
  test('on the Service of a WebService, of a StatefulService and on an additional Service', () => {
    const chart = testChart();
    const scrape = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9419' };
    new WebService(chart, 'web', {
      image,
      serviceMetadata: { labels: { team: 'shop' }, annotations: scrape },
    });
    new StatefulService(chart, 'queue', {
      image,
      port: 5672,
      sidecars: [exporter],
      serviceMetadata: { labels: { tier: 'broker' } },
      additionalServices: [{ name: 'queue-metrics', ports: ['metrics'], annotations: scrape }],
    });
    const objects = synth(chart);
    const web = one(objects, 'Service', 'web').metadata;
    expect(web.labels).toEqual({ team: 'shop' });
    expect(web.annotations).toEqual(scrape);
    expect(one(objects, 'Service', 'queue').metadata.labels).toEqual({ tier: 'broker' });
    expect(one(objects, 'Service', 'queue-metrics').metadata.annotations).toEqual(scrape);
  });

  test('a key that is no qualified name is refused', () => {
    expect(
      () => new WebService(testChart(), 'web', { image, serviceMetadata: { annotations: { 'a b': 'c' } } }),
    ).toThrow(
      new Error(
        'test/web: annotations of Service "web" has the key "a b", which is not a qualified name. Use a name like "team" or "prometheus.io/scrape": letters, digits, "-", "_" and ".", with an optional DNS prefix and "/"',
      ),
    );
  });
});

describe('imagePullPolicy', () => {
  test('IfNotPresent on the app container and a sidecar; Always by default', () => {
    const chart = testChart();
    new WebService(chart, 'web', {
      image,
      imagePullPolicy: 'IfNotPresent',
      sidecars: [
        { ...exporter, imagePullPolicy: 'IfNotPresent' },
        { name: 'plain', image },
      ],
    });
    const pod = podSpec(one(synth(chart), 'Deployment'));
    expect(pod.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.initContainers.map((c: { imagePullPolicy: string }) => c.imagePullPolicy)).toEqual([
      'IfNotPresent',
      'Always',
    ]);
  });

  test('another value is refused', () => {
    expect(
      () => new WebService(testChart(), 'web', { image, imagePullPolicy: 'Sometimes' as 'Always' }),
    ).toThrow(
      new Error(
        'test/web: imagePullPolicy of container "web" must be one of "Always", "IfNotPresent", "Never", got "Sometimes". Use "IfNotPresent" for a pinned image, "Always" to ask the registry on every start',
      ),
    );
  });
});

describe("a sidecar's port behind a Service", () => {
  test('an additional Service serves the exporter port of a sidecar, on its own number', () => {
    const chart = testChart();
    const broker = new StatefulService(chart, 'queue', {
      image,
      ports: [{ name: 'amqp', number: 5672 }],
      sidecars: [exporter],
      additionalServices: [{ name: 'queue-metrics', ports: ['metrics'] }],
    });
    expect(one(synth(chart), 'Service', 'queue-metrics').spec.ports).toEqual([
      { name: 'metrics', port: 9419, targetPort: 9419 },
    ]);
    expect(broker.podPorts).toEqual([5672, 9419]);
  });
});

describe('calls() narrowed to ports', () => {
  test('opens the one port named, both ways', () => {
    const stack = testStack();
    const broker = new StatefulService(stack, 'queue', {
      image,
      ports: [
        { name: 'amqp', number: 5672 },
        { name: 'admin', number: 15672 },
      ],
      sidecars: [exporter],
    });
    const web = new WebService(stack, 'web', { image });
    const policies = web.calls(broker, { ports: [5672] });
    expect(policies.map((p) => p.name)).toEqual(['queue-from-web', 'web-to-queue']);
    const objects = synth(stack);
    expect(one(objects, 'NetworkPolicy', 'queue-from-web').spec.ingress[0].ports).toEqual([
      { port: 5672, protocol: 'TCP' },
    ]);
    expect(one(objects, 'NetworkPolicy', 'web-to-queue').spec.egress[0].ports).toEqual([
      { port: 5672, protocol: 'TCP' },
    ]);
    // A sidecar's port may be called too.
    const scraper = new WebService(stack, 'scraper', { image });
    scraper.calls(broker, { ports: [9419] });
    expect(one(synth(stack), 'NetworkPolicy', 'queue-from-scraper').spec.ingress[0].ports).toEqual([
      { port: 9419, protocol: 'TCP' },
    ]);
  });

  test('a port no container of the target declares is refused', () => {
    const chart = testChart();
    const db = new StatefulService(chart, 'db', { image, port: 5432 });
    const web = new WebService(chart, 'web', { image });
    expect(() => web.calls(db, { ports: [5433] })).toThrow(
      new Error(
        'test/web: calls("db") names port 5433, which no container of "db" declares (its ports: 5432). Call one of 5432, or declare the port on its container or sidecar',
      ),
    );
    expect(() => web.calls(db, { ports: [] })).toThrow(
      new Error(
        'test/web: calls("db", options) names no ports. List the ports to call in options.ports, or call calls(target) for every port',
      ),
    );
  });
});

describe('untagged images', () => {
  test('with allowLatestImage an untagged image runs as :latest, its waiver recorded, with no policy finding', () => {
    const stack = testStack();
    new StatefulService(stack, 'mongo', {
      image: 'mongo',
      allowLatestImage: true,
      port: 27017,
      sidecars: [{ name: 'exporter', image: 'percona/mongodb_exporter', allowLatestImage: true }],
    });
    const set = one(synth(stack), 'StatefulSet');
    expect(podSpec(set).containers[0].image).toBe('mongo:latest');
    expect(podSpec(set).initContainers[0].image).toBe('percona/mongodb_exporter:latest');
    expect(set.metadata.annotations).toEqual({
      'policy.cdk8s-devops.io/waive-image-pinned':
        'allowLatestImage is set on shop/mongo; allowLatestImage is set on shop/mongo for container "exporter"',
    });
    expect(checkPolicies(stack)).toEqual([]);
  });

  test('without it the hint names no invented version', () => {
    expect(() => new WebService(testChart(), 'mongo', { image: 'mongo' })).toThrow(
      new Error(
        'test/mongo: image "mongo" has no tag or digest, so it runs the moving tag "latest". Pin the version tag or digest you run ("mongo:<version>" or "mongo@sha256:<digest>"), or set allowLatestImage: true to accept unrepeatable rollouts',
      ),
    );
  });
});
