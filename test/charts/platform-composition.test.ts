/**
 * A PlatformChart and an AppStack in one namespace: the platform owns the Namespace, the default-deny
 * and the DNS policies (with its quota, limits and monitoring access), and the stack uses them.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllYaml } from '../util/yaml.js';
import { PlatformChart } from '../../charts/platform-chart.js';
import { AppStack } from '../../lib/apps/app-stack.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import { WebService } from '../../lib/apps/web-service.js';
import { DevOpsApp } from '../../lib/devops-app.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'platform-composition-'));
  delete process.env.CDK8S_OUTDIR;
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

/** The kind and name of every object a file holds, with its namespace. */
function objectsOf(dist: string, file: string): string[] {
  return parseAllYaml(readFileSync(join(dist, file), 'utf8')).map(
    (o: { kind: string; metadata: { name: string; namespace?: string } }) =>
      `${o.kind}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`,
  );
}

test('the stack uses the platform namespace and policies, and the synth makes each object once', () => {
  const dist = join(work, 'dist');
  const app = new DevOpsApp({ publishDir: dist });
  const platform = new PlatformChart(app, 'platform', { namespace: 'shop', monitoring: false });
  const stack = new AppStack(app, 'shop', { platform });
  const db = new StatefulService(stack.addTier('data'), 'db', {
    image: 'postgres:16.4',
    port: 5432,
    runAsUser: 999,
  });
  new WebService(stack.addTier('web'), 'web', { image: 'ghcr.io/acme/web:1.0.0' }).calls(db);
  app.synth();
  // The stack depends on its platform, so cdk8s numbers the files in apply order.
  expect(readdirSync(dist).sort()).toEqual(['0000-platform.k8s.yaml', '0001-shop.k8s.yaml']);

  expect(stack.namespace).toBe('shop');
  expect(stack.namespaceObject).toBe(platform.namespaceObject);
  expect(stack.networkPolicy).toBe(platform.networkPolicy);
  expect(stack.node.dependencies).toContain(platform);
  const platformObjects = objectsOf(dist, '0000-platform.k8s.yaml');
  for (const owned of [
    'Namespace/shop',
    'NetworkPolicy/shop/default-deny',
    'NetworkPolicy/shop/allow-dns',
    'ResourceQuota/shop/team-quota',
    'LimitRange/shop/container-defaults',
    'NetworkPolicy/shop/allow-prometheus-scrape',
  ]) {
    expect(platformObjects).toContain(owned);
  }
  const stackObjects = objectsOf(dist, '0001-shop.k8s.yaml');
  expect(stackObjects.filter((o) => o.startsWith('Namespace/') || /default-deny|allow-dns/.test(o))).toEqual(
    [],
  );
  expect(stackObjects).toContain('StatefulSet/shop/db');
  expect(stackObjects).toContain('NetworkPolicy/shop/db-from-web');
});

test('a namespace other than the platform one is refused', () => {
  const app = new DevOpsApp({ publishDir: join(work, 'dist') });
  const platform = new PlatformChart(app, 'platform', { namespace: 'shop', monitoring: false });
  expect(() => new AppStack(app, 'orders', { platform, namespace: 'orders' })).toThrow(
    new Error(
      'orders: namespace is "orders", but the platform platform owns "shop". Leave namespace out: the stack takes the platform\'s',
    ),
  );
  expect(() => new AppStack(app, 'lost', {})).toThrow(
    new Error(
      'lost: neither namespace nor platform is set. Set the namespace the stack owns, or its platform',
    ),
  );
});
