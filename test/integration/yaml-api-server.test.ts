/**
 * YAML as the API server reads it, both ways: what synth writes comes back as the same strings, and
 * manifests are read as the server (and kubectl) would read them.
 */
import { request } from 'node:https';
import type { RequestOptions } from 'node:https';
import { App, Chart } from 'cdk8s';
import { parseManifests } from '../../client/plan/manifests.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { fileYaml, resolveApp } from '../../lib/core/synth.js';
import * as plus from '../../lib/core/plus.js';
import {
  createNamespace,
  describeCluster,
  eventually,
  namespacedCrd,
  serverSideApply,
  testKubeConfig,
} from './cluster.js';

/** Strings that YAML 1.1, the API server's YAML, reads as booleans, numbers, dates or null when plain. */
const YAML_11_EDGES = [
  'yes',
  'no',
  'on',
  'off',
  'y',
  'n',
  'Y',
  'N',
  'True',
  'null',
  '~',
  '',
  '0755',
  '010',
  '1e3',
  '1E3',
  '-1e3',
  '1_000',
  '0x1F',
  '0o17',
  '0O17',
  '0X1F',
  '1__0',
  '+_1',
  '0b101',
  '+12',
  '.5',
  '1.0',
  '.inf',
  '-.Inf',
  '.nan',
  '12:30',
  '190:20:30',
  '2001-12-14',
  '2001-12-14T21:59:43Z',
  '=',
  '<<',
  '- a',
  'a: b',
  '#x',
  "it's",
  'tab\there',
  'multi\nline',
  '--config',
  '-',
  '---',
  '...',
  '? x',
  'key: "q"',
  ' lead',
  'trail ',
  'ends\n',
  '*alias',
  '&anchor',
  '!tag',
  '%directive',
  '@at',
  '`tick',
  '{x}',
  '[x]',
  '|',
  '>',
  'a #b',
  'http://host:80/path',
  'next\u0085line',
  'emoji \u{1F600}',
];

/** POSTs `yaml` as the request body (application/yaml), so that the server's own YAML decoder reads it. */
async function postYaml(path: string, yaml: string): Promise<Manifest> {
  const kc = testKubeConfig();
  const url = new URL(kc.getCurrentCluster()!.server + path);
  const options: RequestOptions = {
    method: 'POST',
    headers: { 'Content-Type': 'application/yaml', Accept: 'application/json' },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        (res.statusCode ?? 500) < 300 ? resolve(JSON.parse(body) as Manifest) : reject(new Error(body)),
      );
    });
    req.on('error', reject);
    req.end(yaml);
  });
}

describeCluster('YAML as the API server reads it', () => {
  test('strings YAML 1.1 would read as something else come back as the same strings', async () => {
    const ns = await createNamespace('bench-yaml');
    const data = Object.fromEntries(YAML_11_EDGES.map((value, i) => [`k${i}`, value]));
    const app = new App({ outdir: '/dev/null' });
    new plus.k8s.KubeConfigMap(new Chart(app, 'edges', { namespace: ns }), 'edges', {
      metadata: { name: 'edges' },
      data,
    });
    const [file] = resolveApp(app);
    const stored = await postYaml(`/api/v1/namespaces/${ns}/configmaps`, fileYaml(file));
    expect(stored.data).toEqual(data);
  });
});

/** Plain scalars go-yaml v2 reads as booleans, numbers or null, and near misses it reads as strings. */
const PLAIN_SCALARS = [
  ...['yes', 'no', 'on', 'Off', 'y', 'n', 'Y', 'N', 'True', 'FALSE', 'null', 'Null', '~'],
  ...['0755', '010', '09', '0', '-0', '1e3', '1E3', '-1e3', '1_000', '0x1F', '0x_1F', '0o17', '0O17'],
  ...['0X1F', '0b101', '-0b101', '+12', '.5', '.5e1', '+.5', '1.', '1.0', '1__0', '+_1', '0x', '0b2'],
  ...['0o8', '1e400', '.5_0', 'e3', '12:30', '190:20:30', '2001-12-14', '2001-12-14T21:59:43Z'],
  ...['9223372036854775807', '-9223372036854775808', '18446744073709551615', 'yes please'],
];

const GROUP = 'yaml.test.cdk8s-devops.io';

describeCluster('manifests read as the API server reads them', () => {
  test('plain scalars, keys and merge keys come out as the server stores them', async () => {
    const ns = await createNamespace('yaml-read');
    await serverSideApply([
      namespacedCrd(GROUP, 'YamlProbe', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
    ]);
    const text = [
      `apiVersion: ${GROUP}/v1`,
      'kind: YamlProbe',
      'metadata:',
      '  name: probe',
      'base: &base',
      '  merged: 1',
      '  kept: 2',
      'spec:',
      ...PLAIN_SCALARS.map((value, i) => `  k${i}: ${value}`),
      '  y: key',
      '  off: key',
      '  0755: key',
      '  withMerge:',
      '    <<: *base',
      '    kept: 3',
      '',
    ].join('\n');
    const path = `/apis/${GROUP}/v1/namespaces/${ns}/yamlprobes`;
    const api = ApiClient.fromKubeConfig(testKubeConfig());
    await eventually('the YamlProbe CRD served', () =>
      api.request({ method: 'GET', path }).catch(() => undefined),
    );
    const stored = await postYaml(path, text);
    expect(parseManifests(text, 'probe.yaml')[0].spec).toEqual(stored.spec);
  });
});
