import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Chart, YamlOutputType } from 'cdk8s';
import type { AppProps } from 'cdk8s';
import jsYaml from 'js-yaml';
import { DevOpsApp } from '../../lib/devops-app.js';
import { fileYaml } from '../../lib/core/synth.js';
import { PlatformChart } from '../../charts/platform-chart.js';
import { ShopChart } from '../../charts/shop-chart.js';
import { buildFleet } from '../../bench/fleet.js';
import * as plus from '../../lib/core/plus.js';

/**
 * js-yaml's default schema and YAML 1.1's plain booleans and numbers (`yes`, `on`, `0755`, `1_000`,
 * `12:30`), so that a string one writer quotes and the other leaves plain, where the API server's YAML 1.1
 * reader would read another type, reads differently here too. A 1.1 number reads as its text, tagged.
 */
const YAML_1_1 = jsYaml.DEFAULT_SCHEMA.extend({
  implicit: [
    new jsYaml.Type('tag:cdk8s-devops.io,2026:yaml-1.1-bool', {
      kind: 'scalar',
      resolve: (s: string) => /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/.test(s),
      construct: (s: string) => /^(?:y|yes|on)$/i.test(s),
    }),
    new jsYaml.Type('tag:cdk8s-devops.io,2026:yaml-1.1-number', {
      kind: 'scalar',
      resolve: (s: string) =>
        /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+)$/.test(
          s,
        ),
      construct: (s: string) => ({ yaml11Number: s }),
    }),
  ],
});

/** Each file of `dir` as the documents a YAML 1.1 reader (the API server's) reads from it, in order. */
const folder = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      jsYaml.loadAll(readFileSync(join(dir, f), 'utf8'), undefined, { schema: YAML_1_1 }),
    ]),
  );

/**
 * The same charts through cdk8s's own App.synth and through DevOpsApp's one pass. The bytes differ where
 * the writers quote differently (js-yaml quotes `--config`, which the `yaml` library leaves plain).
 */
function bothWays(build: (app: App) => void, props: AppProps = {}) {
  const work = mkdtempSync(join(tmpdir(), 'synth-test-'));
  const stock = new App({ ...props, outdir: join(work, 'stock') });
  build(stock);
  stock.synth();
  delete process.env.CDK8S_OUTDIR;
  const ours = new DevOpsApp({ ...props, publishDir: join(work, 'ours') });
  build(ours);
  ours.synth();
  return { stock: folder(join(work, 'stock')), ours: folder(join(work, 'ours')) };
}

test('one pass writes what cdk8s writes: the same files, names and documents in the same order', () => {
  const { stock, ours } = bothWays((app) => {
    new PlatformChart(app, 'platform', { namespace: 'team-x' });
    new ShopChart(app, 'shop');
    buildFleet(app, { services: 3 });
  });
  expect(Object.keys(ours)).toEqual(Object.keys(stock));
  expect(ours).toEqual(stock);
});

test('charts that depend on each other are numbered in their order, as cdk8s numbers them', () => {
  const { stock, ours } = bothWays((app) => {
    const config = new Chart(app, 'config', { namespace: 'a' });
    const map = new plus.k8s.KubeConfigMap(config, 'settings', { data: { mode: 'on' } });
    const user = new Chart(app, 'user', { namespace: 'a' });
    new plus.k8s.KubeConfigMap(user, 'copy', { data: { from: map.name } }).node.addDependency(map);
  });
  expect(Object.keys(ours)).toEqual(['0000-config.k8s.yaml', '0001-user.k8s.yaml']);
  expect(ours).toEqual(stock);
});

test('one file per app, as cdk8s writes it', () => {
  const { stock, ours } = bothWays(
    (app) => {
      new PlatformChart(app, 'platform', { namespace: 'team-x' });
      new ShopChart(app, 'shop');
    },
    { yamlOutputType: YamlOutputType.FILE_PER_APP },
  );
  expect(Object.keys(ours)).toEqual(['app.k8s.yaml']);
  expect(ours).toEqual(stock);
});

test('a validation error fails the synth with cdk8s’s message, before anything is resolved', () => {
  const app = new DevOpsApp({ publishDir: join(mkdtempSync(join(tmpdir(), 'synth-test-')), 'dist') });
  const chart = new Chart(app, 'bad');
  chart.node.addValidation({ validate: () => ['replicas must be positive'] });
  expect(() => app.synth()).toThrow(
    'Validation failed with the following errors:\n  [bad] replicas must be positive',
  );
});

test('the YAML quotes every string a YAML 1.1 or Go reader would read as something else, and nothing more', () => {
  const object = {
    args: [
      '--config',
      'plain text',
      'yes',
      'on',
      'y',
      '0755',
      '1e3',
      '0o17',
      '+_1',
      '1_000',
      '12:30',
      '2001-12-14',
      '<<',
      '=',
    ],
    port: 8080,
    enabled: true,
    script: 'set -e\necho ok\n',
  };
  expect(fileYaml({ name: 'x.k8s.yaml', objects: [{ path: 'x', apiObject: undefined as never, object }] }))
    .toBe(`args:
  - "--config"
  - plain text
  - "yes"
  - "on"
  - "y"
  - "0755"
  - "1e3"
  - "0o17"
  - "+_1"
  - "1_000"
  - "12:30"
  - "2001-12-14"
  - "<<"
  - "="
port: 8080
enabled: true
script: |
  set -e
  echo ok
`);
});
