import { gunzipSync } from 'node:zlib';
import { decodeManifests, encodeManifests, revisionName } from '../../client/record/revisions.js';
import type { Manifest } from '../../client/transport/resources.js';

describe('revision encoding', () => {
  const manifests: Manifest[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'a', namespace: 'shop' },
      data: { x: '1'.repeat(1000) },
    },
  ];

  test('manifests are stored as gzip of their JSON, base64 like all Secret data, and read back unchanged', () => {
    const encoded = encodeManifests(manifests);
    expect(JSON.parse(gunzipSync(encoded).toString())).toEqual(manifests);
    const half = Math.floor(encoded.length / 2);
    const parts = [encoded.subarray(0, half), encoded.subarray(half)].map((b) => b.toString('base64'));
    expect(decodeManifests(parts)).toEqual(manifests);
    // Synthesized YAML is repetitive: gzip keeps revisions far below the 1 MiB Secret limit.
    expect(encoded.length).toBeLessThan(JSON.stringify(manifests).length / 4);
  });

  test('revision Secrets are named like Helm release Secrets', () => {
    expect(revisionName('shop', 12)).toBe('shop.v12');
  });
});
