import { scopesOf, slim } from '../../client/wait/scopes.js';
import type { ResourceType } from '../../client/transport/resources.js';

const pods: ResourceType = { apiVersion: 'v1', kind: 'Pod', resource: 'pods', namespaced: true };
const deployments: ResourceType = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  resource: 'deployments',
  namespaced: true,
};
const namespaces: ResourceType = {
  apiVersion: 'v1',
  kind: 'Namespace',
  resource: 'namespaces',
  namespaced: false,
};

describe('where a wait lists and watches a kind', () => {
  test('objects in several namespaces: one collection across them, keeping only theirs', () => {
    const teams = Array.from({ length: 50 }, (_, i) => `team-${i % 10}`);
    expect(scopesOf(deployments, teams)).toEqual([
      { path: '/apis/apps/v1/deployments', namespaces: new Set(teams) },
    ]);
    // As many collections for 50 namespaces as for 2: the requests grow with kinds, not namespaces.
    const fifty = Array.from({ length: 50 }, (_, i) => `team-${i}`);
    expect(scopesOf(pods, fifty)).toHaveLength(1);
    expect(scopesOf(pods, ['a', 'b'])).toHaveLength(1);
  });

  test('objects in one namespace: its own collection', () => {
    expect(scopesOf(pods, ['shop', 'shop'])).toEqual([
      { path: '/api/v1/namespaces/shop/pods', namespaces: new Set(['shop']) },
    ]);
  });

  test('a deployer who may not list across namespaces: one collection per namespace', () => {
    expect(scopesOf(pods, ['a', 'b', 'a'], false)).toEqual([
      { path: '/api/v1/namespaces/a/pods', namespaces: new Set(['a']) },
      { path: '/api/v1/namespaces/b/pods', namespaces: new Set(['b']) },
    ]);
  });

  test('a cluster-scoped kind, or every namespace wanted: the whole collection, nothing left out', () => {
    expect(scopesOf(namespaces, [''])).toEqual([{ path: '/api/v1/namespaces' }]);
    expect(scopesOf(pods, ['', 'shop'])).toEqual([{ path: '/api/v1/pods' }]);
  });
});

describe('what a wait keeps of each object', () => {
  test('managedFields keep their times and subresources, not their field sets', () => {
    const live = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: {
        name: 'shop',
        namespace: 'shop',
        managedFields: [
          {
            manager: 'cdk8s-devops',
            operation: 'Apply',
            time: '2026-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          },
          {
            manager: 'rollouts',
            subresource: 'status',
            time: '2026-01-01T00:01:00Z',
            fieldsV1: { 'f:status': {} },
          },
        ],
      },
      spec: { replicas: 2 },
    };
    expect(slim(live)).toEqual({
      ...live,
      metadata: {
        name: 'shop',
        namespace: 'shop',
        managedFields: [
          {
            manager: 'cdk8s-devops',
            operation: 'Apply',
            time: '2026-01-01T00:00:00Z',
            fieldsType: 'FieldsV1',
          },
          { manager: 'rollouts', subresource: 'status', time: '2026-01-01T00:01:00Z' },
        ],
      },
    });
    const plain = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(slim(plain)).toBe(plain);
  });
});
