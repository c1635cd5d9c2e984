import { parseManifests } from '../../client/plan/manifests.js';
import { rolloutNamespaceIn, rolloutPatches } from '../../client/apply/rollout-operations.js';

const canary = {
  spec: { strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } } },
};

describe('the patches of the Argo Rollouts plugin', () => {
  test('promote of a rollout paused at a step clears the pause conditions through status', () => {
    expect(
      rolloutPatches('promote', { ...canary, status: { pauseConditions: [{}], currentStepIndex: 1 } }),
    ).toEqual({
      status: { status: { pauseConditions: null } },
    });
  });

  test('promote of a manually paused rollout also unpauses its spec', () => {
    expect(
      rolloutPatches('promote', {
        spec: { ...canary.spec, paused: true },
        status: { pauseConditions: [{}] },
      }),
    ).toEqual({
      spec: { spec: { paused: false } },
      status: { status: { pauseConditions: null } },
    });
  });

  test('promote of a canary between pauses (in analysis) moves to the next step', () => {
    expect(rolloutPatches('promote', { ...canary, status: { currentStepIndex: 2 } })).toEqual({
      status: { status: { pauseConditions: null, currentStepIndex: 3 } },
    });
    expect(rolloutPatches('promote', { ...canary, status: { currentStepIndex: 3 } })).toEqual({
      status: { status: { pauseConditions: null, currentStepIndex: 3 } },
    });
  });

  test('promote --full sets promoteFull unless the current pods are already stable', () => {
    expect(
      rolloutPatches('promote-full', { ...canary, status: { currentPodHash: 'b', stableRS: 'a' } }),
    ).toEqual({
      status: { status: { promoteFull: true } },
    });
    expect(
      rolloutPatches('promote-full', { ...canary, status: { currentPodHash: 'a', stableRS: 'a' } }),
    ).toEqual({});
  });

  test('abort and retry patch status.abort; pause and resume patch spec.paused', () => {
    expect(rolloutPatches('abort', canary)).toEqual({ status: { status: { abort: true } } });
    expect(rolloutPatches('retry', canary)).toEqual({ status: { status: { abort: false } } });
    expect(rolloutPatches('pause', canary)).toEqual({ spec: { spec: { paused: true } } });
    expect(rolloutPatches('resume', canary)).toEqual({ spec: { spec: { paused: false } } });
  });
});

describe("a Rollout's namespace, from the manifests", () => {
  const manifests = parseManifests(
    [
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: api, namespace: shop }',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: web }',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web, namespace: other }',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: twice, namespace: a }',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: twice, namespace: b }',
    ].join('\n---\n'),
    'dist/app.k8s.yaml',
  );

  test('is where its manifest puts it, or the default namespace when it names none', () => {
    expect(rolloutNamespaceIn(manifests, 'api', 'default', 'dist')).toBe('shop');
    expect(rolloutNamespaceIn(manifests, 'web', 'dev', 'dist')).toBe('dev');
  });

  test('a name that is missing or in several namespaces is an error that asks for -n', () => {
    expect(() => rolloutNamespaceIn(manifests, 'nope', 'default', 'the manifests (dist)')).toThrow(
      'there is no Rollout nope in the manifests (dist); check the name, or pass -n <namespace> to act on a Rollout outside the app',
    );
    expect(() => rolloutNamespaceIn(manifests, 'twice', 'default', 'the manifests (dist)')).toThrow(
      'there is a Rollout twice in 2 namespaces of the manifests (dist) (a in dist/app.k8s.yaml, document 4, b in dist/app.k8s.yaml, document 5); pass -n <namespace> to pick one',
    );
  });
});
