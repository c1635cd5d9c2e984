/**
 * The objects a checker looks at in an object's namespace besides what the object owns (its `related`
 * kinds: a Rollout's Deployment and AnalysisTemplates, the HorizontalPodAutoscalers of a Rollout or
 * Deployment), one collection per kind and namespace, watched while waiting or read once for `status`.
 */
import { ApiError } from '../transport/api-client.js';
import { inform } from './informer.js';
import type { LiveObject, OwnedKind, OwnedObjects, ReadinessRegistry } from './readiness/index.js';
import type { Cluster, Manifest } from '../transport/resources.js';
import { resourcePath } from '../transport/resources.js';

export class RelatedObjectStore {
  private readonly collections = new Map<string, readonly LiveObject[]>();

  /** What `owned` holds, and every object of the checker's related kinds in `namespace`. */
  public view(owned: OwnedObjects, namespace: string, related: readonly OwnedKind[]): OwnedObjects {
    return {
      of: (kind) =>
        related.some((r) => r.kind === kind)
          ? [...owned.of(kind), ...(this.collections.get(`${kind}/${namespace}`) ?? [])]
          : owned.of(kind),
    };
  }

  public replace(kind: string, namespace: string, items: readonly LiveObject[]): void {
    this.collections.set(
      `${kind}/${namespace}`,
      items.map((item) => ({ ...item, kind })),
    );
  }

  public update(kind: string, namespace: string, item: LiveObject, deleted: boolean): void {
    const rest = (this.collections.get(`${kind}/${namespace}`) ?? []).filter(
      (o) => o.metadata.name !== item.metadata.name,
    );
    this.collections.set(`${kind}/${namespace}`, deleted ? rest : [...rest, { ...item, kind }]);
  }
}

const isForbidden = (error: unknown) => error instanceof ApiError && error.code === 403;

interface RelatedCollection {
  readonly kind: string;
  readonly namespace: string;
  readonly path: string;
}

/** The related collections of the objects' checkers; kinds the cluster does not serve are left out. */
async function relatedCollections(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
): Promise<RelatedCollection[]> {
  const collections = new Map<string, RelatedCollection>();
  for (const object of objects) {
    const namespace = object.metadata.namespace ?? 'default';
    for (const ref of registry.checkerFor(object.apiVersion, object.kind).related ?? []) {
      const type = await cluster.catalog.lookup(ref.apiVersion, ref.kind).catch(() => undefined);
      if (type) {
        collections.set(`${ref.kind}/${namespace}`, {
          kind: ref.kind,
          namespace,
          path: resourcePath(type, namespace),
        });
      }
    }
  }
  return [...collections.values()];
}

/**
 * Keeps `store` up to date until the signal aborts, calling `onChange` with the namespace that changed.
 * `synced` resolves once every collection was listed: judging before that could miss what holds an
 * object back (a Rollout would look Healthy before its Deployment's generation is known).
 */
export async function watchRelated(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
  store: RelatedObjectStore,
  options: { signal: AbortSignal; onChange: (namespace: string) => void; onRetry?: (error: unknown) => void },
): Promise<{ readonly running: Promise<void>[]; readonly synced: Promise<unknown> }> {
  const lists: Promise<void>[] = [];
  const running = (await relatedCollections(cluster, registry, objects)).map(({ kind, namespace, path }) => {
    let listed: () => void = () => {};
    lists.push(new Promise<void>((resolve) => (listed = resolve)));
    return inform<LiveObject>(cluster.api, {
      path,
      signal: options.signal,
      onRetry: (error) => {
        // A deployer who may not list a related kind gets its objects judged without them.
        if (isForbidden(error)) {
          listed();
        }
        options.onRetry?.(error);
      },
      onList: (items) => {
        store.replace(kind, namespace, items);
        listed();
        options.onChange(namespace);
      },
      onChange: (type, item) => {
        store.update(kind, namespace, item, type === 'DELETED');
        options.onChange(namespace);
      },
    });
  });
  return { running, synced: Promise.all(lists) };
}

/** One read of every related collection. */
export async function readRelated(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
): Promise<RelatedObjectStore> {
  const store = new RelatedObjectStore();
  await Promise.all(
    (await relatedCollections(cluster, registry, objects)).map(async ({ kind, namespace, path }) => {
      const list = await cluster.api.request<{ items: LiveObject[] }>({ path }).catch((error: unknown) => {
        if (isForbidden(error)) {
          return { items: [] };
        }
        throw error;
      });
      store.replace(kind, namespace, list.items);
    }),
  );
  return store;
}
