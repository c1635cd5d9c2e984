import { mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiObject, Chart } from 'cdk8s';
import { DevOpsApp } from '../../lib/devops-app.js';
import { ShopChart } from '../../charts/shop-chart.js';
import { AppStack } from '../../lib/apps/app-stack.js';
import { WebService } from '../../lib/apps/web-service.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'devops-app-test-'));
  delete process.env.CDK8S_OUTDIR;
});

function synthShop(publishDir: string): void {
  const app = new DevOpsApp({ publishDir });
  new ShopChart(app, 'shop');
  app.synth();
}

function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
}

test('publishes one YAML file per chart', () => {
  const dist = join(work, 'dist');
  synthShop(dist);
  expect(readdirSync(dist)).toEqual(['shop.k8s.yaml']);
  expect(readFileSync(join(dist, 'shop.k8s.yaml'), 'utf8')).toContain('kind: Deployment');
});

test('the same input synthesizes to byte-identical files', () => {
  synthShop(join(work, 'a'));
  synthShop(join(work, 'b'));
  expect(snapshotDir(join(work, 'b'))).toEqual(snapshotDir(join(work, 'a')));
});

test('replaces files of charts that left the app', () => {
  const dist = join(work, 'dist');
  mkdirSync(dist);
  writeFileSync(join(dist, 'removed-chart.k8s.yaml'), 'kind: ConfigMap\n');
  synthShop(dist);
  expect(readdirSync(dist)).toEqual(['shop.k8s.yaml']);
});

test('a synth that fails validation leaves the previous output untouched', () => {
  const dist = join(work, 'dist');
  synthShop(dist);
  const before = snapshotDir(dist);

  const app = new DevOpsApp({ publishDir: dist });
  const chart = new Chart(app, 'broken');
  new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap' });
  chart.node.addValidation({ validate: () => ['the chart is broken on purpose'] });
  expect(() => app.synth()).toThrow(/the chart is broken on purpose/);

  expect(snapshotDir(dist)).toEqual(before);
  expect(readdirSync(work).sort()).toEqual(['dist']);
});

test('a swap interrupted between its renames is recovered by the next run, even a failing one', () => {
  const dist = join(work, 'dist');
  synthShop(dist);
  const before = snapshotDir(dist);
  // What a kill between "dist -> .dist.previous" and ".dist.next -> dist" leaves behind.
  renameSync(dist, join(work, '.dist.previous'));
  mkdirSync(join(work, '.dist.next'));

  const app = new DevOpsApp({ publishDir: dist });
  new Chart(app, 'broken').node.addValidation({ validate: () => ['still broken'] });
  expect(() => app.synth()).toThrow(/still broken/);

  expect(snapshotDir(dist)).toEqual(before);
  synthShop(dist);
  expect(readdirSync(work).sort()).toEqual(['dist']);
});

test('two constructs that make the same object stop the synth, naming both', () => {
  const app = new DevOpsApp({ publishDir: join(work, 'dist') });
  const stack = new AppStack(app, 'shop', { namespace: 'shop' });
  const image = 'ghcr.io/acme/frontend:1.0.0';
  new WebService(stack.addTier('web'), 'frontend', { image });
  new WebService(stack.addTier('edge'), 'frontend', { image });
  expect(() => app.synth()).toThrow(
    new Error(
      [
        'synth stopped: 4 object(s) made twice, where the second would overwrite the first:',
        '  - ServiceAccount/shop/frontend is made by both shop/web/frontend/ServiceAccount/Resource and shop/edge/frontend/ServiceAccount/Resource',
        '  - Deployment.apps/shop/frontend is made by both shop/web/frontend/Resource/Resource and shop/edge/frontend/Resource/Resource',
        '  - Service/shop/frontend is made by both shop/web/frontend/Resource/frontendService/Resource and shop/edge/frontend/Resource/frontendService/Resource',
        '  - PodDisruptionBudget.policy/shop/frontend is made by both shop/web/frontend/DisruptionBudget and shop/edge/frontend/DisruptionBudget',
        "Give one of each pair another name (a workload's name prop, or metadata.name)",
      ].join('\n'),
    ),
  );
  expect(readdirSync(work)).toEqual([]);
});
