import { diffOf } from '../../client/plan/change-set.js';
import { normalizeForDiff } from '../../client/plan/normalize.js';
import type { Manifest } from '../../client/transport/resources.js';

const live: Manifest = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'shop',
    uid: '1b6f',
    resourceVersion: '42',
    creationTimestamp: '2026-01-01T00:00:00Z',
    generation: 1,
    managedFields: [{ manager: 'cdk8s-devops', operation: 'Apply' }],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
  },
  data: { mode: 'one' },
};

describe('diffs without server noise', () => {
  test('server-managed metadata and status are left out', () => {
    expect(normalizeForDiff({ ...live, status: { phase: 'Active' } })).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'shop' },
      data: { mode: 'one' },
    });
  });

  test('an object that differs only in server-managed fields has no diff', () => {
    expect(diffOf(live, { ...live, metadata: { ...live.metadata, resourceVersion: '43' } })).toBe('');
  });

  test('a change is a unified diff from live to desired', () => {
    const diff = diffOf(live, { ...live, data: { mode: 'two' } });
    expect(diff).toContain('--- live/ConfigMap/shop/settings');
    expect(diff).toContain('+++ desired/ConfigMap/shop/settings');
    expect(diff).toContain('-  mode: one\n+  mode: two\n');
    expect(diff).not.toContain('resourceVersion');
  });

  test('Secret values are masked by a digest: a change shows, the value does not', () => {
    const secret = (password: string): Manifest => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      data: { password: Buffer.from(password).toString('base64') },
    });
    const diff = diffOf(secret('hunter2'), secret('hunter3'));
    expect(diff).toMatch(
      /- {2}password: \(secret, sha256:[0-9a-f]{12}\)\n\+ {2}password: \(secret, sha256:[0-9a-f]{12}\)/,
    );
    expect(diff).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(diff).not.toContain('hunter');
  });

  test('a deletion diffs the live object against nothing', () => {
    expect(diffOf(live, undefined)).toContain('-  mode: one');
  });
});
