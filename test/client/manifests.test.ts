import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests, parseManifests } from '../../client/plan/manifests.js';
import { identityOf, objectKey, objectRef } from '../../client/transport/resources.js';

describe('reading manifests', () => {
  test('every document of every YAML file of a folder, in file order, without empty documents', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'manifests-'));
    await writeFile(join(dir, 'b.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n');
    await writeFile(
      join(dir, 'a.k8s.yaml'),
      '---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n',
    );
    await writeFile(join(dir, 'notes.txt'), 'not a manifest');
    expect((await loadManifests([dir])).map((m) => m.metadata.name)).toEqual(['a', 'b']);
  });

  test('a missing folder says how to make it', async () => {
    await expect(loadManifests(['/nonexistent/dist'])).rejects.toThrow(
      '/nonexistent/dist does not exist: run `npm run synth` first, or name the manifests to use',
    );
  });

  test('a document that is not an object names the file and document', () => {
    expect(() => parseManifests('apiVersion: v1\nkind: ConfigMap\n', 'app.yaml')).toThrow(
      'app.yaml, document 1: not a Kubernetes object (apiVersion, kind and metadata.name are required)',
    );
    expect(() => parseManifests('kind: ConfigMap\ndata: [1\n', 'app.yaml')).toThrow(
      'app.yaml, line 3, column 1: invalid YAML: unexpected end of the stream within a flow collection',
    );
    expect(() => parseManifests('a: 1\na: 2\n', 'app.yaml')).toThrow(
      'app.yaml, line 2, column 1: invalid YAML: duplicated mapping key',
    );
  });

  test('read one document at a time: what `keep` keeps, errors at the line of the whole file', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: { name: a, namespace: shop }',
      'data: { big: "x" }',
      '---',
      '---',
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: b }',
      '',
    ].join('\n');
    const kept = parseManifests(text, 'app.yaml', identityOf);
    expect(kept).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'shop' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' } },
    ]);
    // The empty document counts: the Secret is the third.
    expect(() => parseManifests(text.replace('name: b', 'nam: b'), 'app.yaml')).toThrow(
      'app.yaml, document 3: not a Kubernetes object',
    );
    expect(() => parseManifests(`${text}---\na: 1\na: 2\n`, 'app.yaml')).toThrow(
      'app.yaml, line 12, column 1: invalid YAML: duplicated mapping key',
    );
  });

  test('the items of a List are the objects, each named by its item number in errors', () => {
    const list = [
      'apiVersion: v1',
      'kind: List',
      'metadata:',
      '  resourceVersion: ""',
      'items:',
      '- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}',
      '- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}',
      '',
    ].join('\n');
    expect(parseManifests(list, 'app.yaml').map((m) => m.metadata.name)).toEqual(['a', 'b']);
    expect(() =>
      parseManifests('apiVersion: v1\nkind: ConfigMapList\nitems:\n- {kind: ConfigMap}\n', 'app.yaml'),
    ).toThrow(
      'app.yaml, document 1, item 1: not a Kubernetes object (apiVersion, kind and metadata.name are required)',
    );
  });

  test('objects are named Kind/namespace/name, and keyed by group too', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
    };
    expect(objectRef(deployment)).toBe('Deployment/shop/web');
    expect(objectRef({ kind: 'Namespace', metadata: { name: 'shop' } })).toBe('Namespace/shop');
    expect(objectKey(deployment)).toBe('apps|Deployment/shop/web');
  });
});
