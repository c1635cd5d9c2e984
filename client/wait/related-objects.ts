/**
 * The objects a checker looks at in an object's namespace besides what the object owns (its `related`
 * kinds: a Rollout's Deployment and AnalysisTemplates, the HorizontalPodAutoscalers of a Rollout or
 * Deployment), one informer per kind across the objects' namespaces (see scopes.ts), watched while
 * waiting or read once for `status`.
 */
import type { LimitFunction } from 'p-limit';
import type { LiveObject, OwnedKind, OwnedObjects, ReadinessRegistry } from './readiness/index.js';
import type { Cluster, Manifest, ResourceType } from '../transport/resources.js';
import { informAcross, isForbidden, listAcross } from './scopes.js';

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

interface RelatedCollection {
  readonly kind: string;
  readonly type: ResourceType;
  /** The namespaces of the objects whose checkers look at the kind. */
  readonly namespaces: Set<string>;
}

/** The related kinds of the objects' checkers, by kind; kinds the cluster does not serve are left out. */
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
        const collection = collections.get(ref.kind) ?? { kind: ref.kind, type, namespaces: new Set() };
        collection.namespaces.add(namespace);
        collections.set(ref.kind, collection);
      }
    }
  }
  return [...collections.values()];
}

/** Makes `items` the whole of the kind's collection in each of `namespaces`. */
function replaceAll(
  store: RelatedObjectStore,
  kind: string,
  namespaces: Iterable<string>,
  items: readonly LiveObject[],
): void {
  for (const namespace of namespaces) {
    store.replace(
      kind,
      namespace,
      items.filter((item) => (item.metadata.namespace ?? 'default') === namespace),
    );
  }
}

/**
 * Keeps `store` up to date until the signal aborts, calling `onChange` with the namespace and kind that
 * changed. `synced` resolves once every collection was listed: judging before that could miss what holds
 * an object back (a Rollout would look Healthy before its Deployment's generation is known).
 */
export async function watchRelated(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
  store: RelatedObjectStore,
  options: {
    signal: AbortSignal;
    onChange: (namespace: string, kind: string) => void;
    onRetry?: (error: unknown) => void;
    lists?: LimitFunction;
  },
): Promise<{ readonly running: Promise<void>[]; readonly synced: Promise<unknown> }> {
  const lists: Promise<void>[] = [];
  const running = (await relatedCollections(cluster, registry, objects)).map(({ kind, type, namespaces }) => {
    let listed: () => void = () => {};
    lists.push(new Promise<void>((resolve) => (listed = resolve)));
    return informAcross<LiveObject>(cluster.api, type, namespaces, {
      signal: options.signal,
      // A deployer who may not list a related kind gets its objects judged without them.
      onSynced: listed,
      onRetry: options.onRetry,
      lists: options.lists,
      onList: (items, scope) => {
        const listedIn = scope.namespaces ?? namespaces;
        replaceAll(store, kind, listedIn, items);
        listedIn.forEach((namespace) => options.onChange(namespace, kind));
      },
      onChange: (type, item) => {
        const namespace = item.metadata.namespace ?? 'default';
        store.update(kind, namespace, item, type === 'DELETED');
        options.onChange(namespace, kind);
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
    (await relatedCollections(cluster, registry, objects)).map(async ({ kind, type, namespaces }) => {
      const items = await listAcross<LiveObject>(cluster.api, type, namespaces).catch((error: unknown) => {
        if (isForbidden(error)) {
          return [];
        }
        throw error;
      });
      replaceAll(store, kind, namespaces, items);
    }),
  );
  return store;
}
