/**
 * The objects readiness checkers look at besides their own (a Rollout's Deployment, AnalysisTemplates
 * and AnalysisRuns): one collection per related kind and namespace, watched while waiting, or read once
 * for `status`.
 */
import { inform } from './informer.js';
import type { KindRef, LiveObject, RelatedObjects } from './readiness/index.js';
import { relatedKindsOf } from './readiness/index.js';
import type { Manifest } from './resources.js';
import { resourcePath, UnknownKindError } from './resources.js';
import type { WatchTarget } from './watch.js';

export class RelatedObjectStore implements RelatedObjects {
  private readonly objects = new Map<string, Map<string, LiveObject>>();

  public get(kind: string, namespace: string, name: string): LiveObject | undefined {
    return this.objects.get(`${kind}/${namespace}`)?.get(name);
  }

  public list(kind: string, namespace: string): readonly LiveObject[] {
    return [...(this.objects.get(`${kind}/${namespace}`)?.values() ?? [])];
  }

  public replace(kind: string, namespace: string, items: readonly LiveObject[]): void {
    this.objects.set(`${kind}/${namespace}`, new Map(items.map((i) => [i.metadata.name, i])));
  }

  public update(kind: string, namespace: string, item: LiveObject, deleted: boolean): void {
    const collection = this.objects.get(`${kind}/${namespace}`) ?? new Map<string, LiveObject>();
    if (deleted) {
      collection.delete(item.metadata.name);
    } else {
      collection.set(item.metadata.name, item);
    }
    this.objects.set(`${kind}/${namespace}`, collection);
  }
}

interface RelatedCollection {
  readonly ref: KindRef;
  readonly namespace: string;
  readonly path: string;
}

/** The related collections of the objects; kinds the cluster does not serve are left out. */
async function relatedCollections(
  target: WatchTarget,
  objects: readonly Manifest[],
): Promise<RelatedCollection[]> {
  const wanted = new Map<string, { ref: KindRef; namespace: string }>();
  for (const object of objects) {
    const namespace = object.metadata.namespace ?? 'default';
    for (const ref of relatedKindsOf(object.apiVersion, object.kind)) {
      wanted.set(`${ref.kind}/${namespace}`, { ref, namespace });
    }
  }
  const collections: RelatedCollection[] = [];
  for (const { ref, namespace } of wanted.values()) {
    try {
      const type = await target.catalog.lookup(ref.apiVersion, ref.kind);
      collections.push({ ref, namespace, path: resourcePath(type, namespace) });
    } catch (error) {
      if (!(error instanceof UnknownKindError)) {
        throw error;
      }
    }
  }
  return collections;
}

/**
 * Keeps `store` up to date until the signal aborts, calling `onChange` with the namespace that changed.
 * `synced` resolves once every collection was listed: judging before that could miss what holds an
 * object back (a Rollout would look Healthy before its Deployment's generation is known).
 */
export async function watchRelated(
  target: WatchTarget,
  objects: readonly Manifest[],
  store: RelatedObjectStore,
  options: { signal: AbortSignal; onChange: (namespace: string) => void; onRetry?: (error: unknown) => void },
): Promise<{ readonly running: Promise<void>[]; readonly synced: Promise<unknown> }> {
  const lists: Promise<void>[] = [];
  const running = (await relatedCollections(target, objects)).map(({ ref, namespace, path }) => {
    let listed: () => void = () => {};
    lists.push(new Promise<void>((resolve) => (listed = resolve)));
    return inform<LiveObject>(target.api, {
      path,
      signal: options.signal,
      onRetry: options.onRetry,
      onList: (items) => {
        store.replace(ref.kind, namespace, items);
        listed();
        options.onChange(namespace);
      },
      onChange: (type, item) => {
        store.update(ref.kind, namespace, item, type === 'DELETED');
        options.onChange(namespace);
      },
    });
  });
  return { running, synced: Promise.all(lists) };
}

/** One read of every related collection. */
export async function readRelated(
  target: WatchTarget,
  objects: readonly Manifest[],
): Promise<RelatedObjectStore> {
  const store = new RelatedObjectStore();
  await Promise.all(
    (await relatedCollections(target, objects)).map(async ({ ref, namespace, path }) => {
      const list = await target.api.request<{ items: LiveObject[] }>({ path });
      store.replace(ref.kind, namespace, list.items);
    }),
  );
  return store;
}
