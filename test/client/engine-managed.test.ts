import { asEngineApplies, engineOwner } from '../../client/plan/engine-managed.js';
import type { Manifest } from '../../client/transport/resources.js';

const configMap = (labels?: Record<string, string>, annotations?: Record<string, string>): Manifest => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'web', namespace: 'shop', labels, annotations },
});

describe('objects a GitOps engine applies', () => {
  test("Flux's labels name the Kustomization that owns the object", () => {
    const live = configMap({
      'kustomize.toolkit.fluxcd.io/name': 'shop-staging',
      'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
    });
    expect(engineOwner(live)).toBe('Flux Kustomization flux-system/shop-staging');
    expect(engineOwner(configMap({ 'kustomize.toolkit.fluxcd.io/name': 'shop-staging' }))).toBeUndefined();
    expect(engineOwner(configMap())).toBeUndefined();
  });

  test("the manifest as the engine applies it: without the ApplySet's label and digest, the rest kept", () => {
    const resolved = configMap(
      { app: 'web', 'applyset.kubernetes.io/part-of': 'applyset-x-v1' },
      { note: 'kept', 'cdk8s-devops.io/manifest-digest': 'abc' },
    );
    expect(asEngineApplies(resolved).metadata).toEqual({
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      annotations: { note: 'kept' },
    });
    const bare = asEngineApplies(
      configMap(
        { 'applyset.kubernetes.io/part-of': 'applyset-x-v1' },
        { 'cdk8s-devops.io/manifest-digest': 'abc' },
      ),
    );
    expect(bare.metadata).toEqual({ name: 'web', namespace: 'shop' });
  });
});
