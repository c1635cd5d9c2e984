/**
 * Whether pruning a Namespace would delete more than the ApplySet's own objects. Deleting a Namespace
 * deletes everything in it, so a Namespace is pruned only when all it holds is members of this ApplySet
 * and what the cluster makes by itself (the `default` ServiceAccount, `kube-root-ca.crt`, Events,
 * Endpoints, and objects owned by others, such as a Deployment's ReplicaSets).
 */
import { APPLYSET_LABELS } from './applyset.js';
import { listAll } from '../transport/list-all.js';
import { objectRef } from '../transport/resources.js';
import type { Cluster, Manifest } from '../transport/resources.js';

interface DiscoveredResource {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

/** Made by the cluster in every namespace, or derived from other objects. */
const CLUSTER_MADE = new Set(['ServiceAccount/default', 'ConfigMap/kube-root-ca.crt']);
const DERIVED_KINDS = new Set(['Event', 'Endpoints', 'EndpointSlice', 'Lease', 'PodMetrics']);

/** Up to `limit` objects in `namespace` that are not members of the ApplySet `id` (as `Kind/namespace/name`). */
export async function foreignObjectsIn(
  cluster: Cluster,
  namespace: string,
  id: string,
  limit = 5,
): Promise<string[]> {
  const groups = await cluster.api.request<{ groups: { preferredVersion: { groupVersion: string } }[] }>({
    path: '/apis',
  });
  const groupVersions = ['v1', ...groups.groups.map((g) => g.preferredVersion.groupVersion)];
  const found = await Promise.all(
    groupVersions.map(async (groupVersion) => {
      const base = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
      const list = await cluster.api
        .request<{ resources: DiscoveredResource[] }>({ path: base })
        .catch(() => ({ resources: [] as DiscoveredResource[] }));
      const resources = list.resources.filter(
        (r) =>
          r.namespaced && !r.name.includes('/') && r.verbs.includes('list') && !DERIVED_KINDS.has(r.kind),
      );
      return Promise.all(
        resources.map(async (resource) => {
          // Every page: one object beyond the first page is as precious as one on it.
          const items = await listAll(
            cluster.api,
            `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.name}`,
            { labelSelector: `${APPLYSET_LABELS.partOf}!=${id}` },
          )
            // What cannot be read cannot be known to be ours: it keeps the Namespace.
            .catch(() => [{ metadata: { name: `(${resource.name} cannot be listed)` } } as Manifest]);
          return items
            .filter((item) => !(item.metadata.ownerReferences as unknown[] | undefined)?.length)
            .filter((item) => !CLUSTER_MADE.has(`${resource.kind}/${item.metadata.name}`))
            .map((item) => objectRef({ kind: resource.kind, metadata: { ...item.metadata, namespace } }));
        }),
      );
    }),
  );
  return [...new Set(found.flat(2))].sort().slice(0, limit);
}
