import { applySetId, groupKindOf, scopeOf, unionScope } from '../../client/plan/applyset.js';

describe('ApplySet naming, as kubectl computes it', () => {
  test('the id is applyset-, base64url of sha256(name.namespace.kind.group) without padding, and -v1', () => {
    // echo -n shop.ns1.Secret. | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='
    expect(applySetId({ name: 'shop', namespace: 'ns1', kind: 'Secret', group: '' })).toBe(
      'applyset-ckamDGocCeB9eU3wbHNf90cdRNfLUbhSI9ObQ4IgxEE-v1',
    );
  });

  test('group kinds are Kind.group, or Kind alone for the core group', () => {
    expect(groupKindOf({ apiVersion: 'apps/v1', kind: 'Deployment' })).toBe('Deployment.apps');
    expect(groupKindOf({ apiVersion: 'v1', kind: 'Secret' })).toBe('Secret');
  });

  test('the scope lists sorted group kinds and the namespaces other than the parent one', () => {
    const scope = scopeOf(
      [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'shop' } },
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'a', namespace: 'web' } },
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'web' } },
      ],
      'shop',
    );
    expect(scope).toEqual({ groupKinds: ['Deployment.apps', 'Namespace', 'Service'], namespaces: ['web'] });
    expect(unionScope(scope, { groupKinds: ['ConfigMap'], namespaces: ['api', 'web'] })).toEqual({
      groupKinds: ['ConfigMap', 'Deployment.apps', 'Namespace', 'Service'],
      namespaces: ['api', 'web'],
    });
  });
});
