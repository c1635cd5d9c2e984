/**
 * Objects a GitOps engine applies: Flux's kustomize-controller labels every object of a Kustomization
 * with its name and namespace. They belong to the engine, as a member belongs to its ApplySet: `apply`
 * never takes them over unasked, and `diff --gitops` compares them as the engine applies them, without
 * the ApplySet's own label and digest, which the engine never writes.
 */
import { MANIFEST_DIGEST } from './apply-context.js';
import { APPLYSET_LABELS } from './applyset.js';
import type { Manifest } from '../transport/resources.js';

const FLUX_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
const FLUX_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

/** `Flux Kustomization <namespace>/<name>` when the engine applied `live`, else undefined. */
export function engineOwner(live: Manifest): string | undefined {
  const labels = live.metadata.labels ?? {};
  const [name, namespace] = [labels[FLUX_NAME_LABEL], labels[FLUX_NAMESPACE_LABEL]];
  return name && namespace ? `Flux Kustomization ${namespace}/${name}` : undefined;
}

/** The resolved manifest without what only the client writes: the ApplySet label and the digest. */
export function asEngineApplies(manifest: Manifest): Manifest {
  const { [APPLYSET_LABELS.partOf]: _member, ...labels } = manifest.metadata.labels ?? {};
  const { [MANIFEST_DIGEST]: _digest, ...annotations } = manifest.metadata.annotations ?? {};
  const { labels: _l, annotations: _a, ...metadata } = manifest.metadata;
  return {
    ...manifest,
    metadata: {
      ...metadata,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
  };
}
