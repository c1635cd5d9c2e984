/**
 * The objects beneath the ones being judged, indexed by owner (`metadata.ownerReferences`), so that a
 * checker sees a Deployment's ReplicaSets and their Pods, and a change to a Pod re-judges its Deployment;
 * one collection per kind (its checkers' `owns`) and namespace, watched while waiting or read once for
 * `status`.
 */
import { ApiError } from '../transport/api-client.js';
import type { Cluster, Manifest, ResourceType } from '../transport/resources.js';
import { resourcePath } from '../transport/resources.js';
import { inform } from './informer.js';
import type { LiveObject, OwnedObjects, OwnerReference, ReadinessRegistry } from './readiness/index.js';

const uidOf = (object: LiveObject) => object.metadata.uid as string;
const ownersOf = (object: LiveObject) =>
  ((object.metadata.ownerReferences as OwnerReference[] | undefined) ?? []).map((o) => o.uid);

export class OwnedIndex {
  private readonly objects = new Map<string, LiveObject>();
  private readonly children = new Map<string, Set<string>>();
  /** The uids of each collection's objects, for replacing a collection when it is listed again. */
  private readonly collections = new Map<string, Set<string>>();

  /** Adds or updates `object`, a member of `collection` (its URL path). */
  public put(object: LiveObject, collection = ''): void {
    this.remove(object);
    this.objects.set(uidOf(object), object);
    this.collections.set(collection, (this.collections.get(collection) ?? new Set()).add(uidOf(object)));
    for (const owner of ownersOf(object)) {
      this.children.set(owner, (this.children.get(owner) ?? new Set()).add(uidOf(object)));
    }
  }

  /**
   * Makes `items` the whole of `collection` (a list, possibly after a broken watch); returns the objects
   * that were in it and are no longer, so that their owners can be judged again.
   */
  public replace(collection: string, items: readonly LiveObject[]): LiveObject[] {
    const listed = new Set(items.map(uidOf));
    const gone = [...(this.collections.get(collection) ?? [])]
      .filter((uid) => !listed.has(uid))
      .map((uid) => this.objects.get(uid))
      .filter((o): o is LiveObject => o !== undefined);
    gone.forEach((o) => this.remove(o));
    items.forEach((item) => this.put(item, collection));
    return gone;
  }

  public remove(object: LiveObject): void {
    const known = this.objects.get(uidOf(object));
    if (!known) {
      return;
    }
    this.objects.delete(uidOf(known));
    this.collections.forEach((uids) => uids.delete(uidOf(known)));
    for (const owner of ownersOf(known)) {
      this.children.get(owner)?.delete(uidOf(known));
    }
  }

  /** Every descendant of the object with `uid`, by kind. */
  public ownedBy(uid: string): OwnedObjects {
    const found = this.descendantsOf(uid);
    return { of: (kind) => found.filter((o) => o.kind === kind) };
  }

  /** Every descendant of the object with `uid`. */
  public descendantsOf(uid: string): LiveObject[] {
    const found: LiveObject[] = [];
    const queue = [uid];
    const seen = new Set(queue);
    while (queue.length > 0) {
      for (const child of this.children.get(queue.shift()!) ?? []) {
        const object = this.objects.get(child);
        if (object && !seen.has(child)) {
          seen.add(child);
          found.push(object);
          queue.push(child);
        }
      }
    }
    return found;
  }

  /** The uids of the owners of the object with `uid`, their owners, and so on (none if it is not known). */
  public ancestorsOfUid(uid: string): string[] {
    const object = this.objects.get(uid);
    return object ? this.ancestorsOf(object) : [];
  }

  /** The uids of `object`'s owners, their owners, and so on (for re-judging them when it changes). */
  public ancestorsOf(object: LiveObject): string[] {
    const found: string[] = [];
    const queue = ownersOf(object);
    while (queue.length > 0) {
      const uid = queue.shift()!;
      if (!found.includes(uid)) {
        found.push(uid);
        const owner = this.objects.get(uid);
        queue.push(...(owner ? ownersOf(owner) : []));
      }
    }
    return found;
  }
}

/**
 * The collections (URL paths) of the kinds that the objects' checkers look at beneath them, in the
 * objects' namespaces, with the type of each. Kinds the cluster does not serve are left out.
 */
export async function ownedCollectionsOf(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
): Promise<Map<string, ResourceType>> {
  const collections = new Map<string, ResourceType>();
  for (const object of objects) {
    for (const kind of registry.checkerFor(object.apiVersion, object.kind).owns ?? []) {
      const type = await cluster.catalog.lookup(kind.apiVersion, kind.kind).catch(() => undefined);
      if (type) {
        collections.set(resourcePath(type, object.metadata.namespace), type);
      }
    }
  }
  return collections;
}

export interface OwnedWatchOptions {
  readonly signal: AbortSignal;
  /** Told each object beneath that changed (or went), to judge its owners again. */
  readonly onChange: (object: LiveObject) => void;
  /** Told when every collection has been listed, or may not be (again after each list that follows). */
  readonly onSynced: () => void;
  readonly onRetry?: (error: unknown) => void;
}

/** Keeps `index` up to date with `collections` until the signal aborts. */
export function watchOwned(
  cluster: Cluster,
  collections: ReadonlyMap<string, ResourceType>,
  index: OwnedIndex,
  options: OwnedWatchOptions,
): Promise<void>[] {
  const listed = new Set<string>();
  const synced = (path: string) => {
    listed.add(path);
    if (listed.size === collections.size) {
      options.onSynced();
    }
  };
  return [...collections].map(([path, type]) => {
    const withKind = (o: LiveObject): LiveObject => ({ ...o, apiVersion: type.apiVersion, kind: type.kind });
    return inform<LiveObject>(cluster.api, {
      path,
      signal: options.signal,
      onRetry: (error) => {
        // A deployer who may not list what the objects own still gets them judged, on their own status.
        if (error instanceof ApiError && error.code === 403) {
          synced(path);
        }
        options.onRetry?.(error);
      },
      onList: (items) => {
        // A list after a broken watch replaces the collection: what went meanwhile is gone from it too.
        const gone = index.replace(path, items.map(withKind));
        [...items.map(withKind), ...gone].forEach(options.onChange);
        synced(path);
      },
      onChange: (change, object) => {
        const live = withKind(object);
        if (change === 'DELETED') {
          index.remove(live);
        } else {
          index.put(live, path);
        }
        options.onChange(live);
      },
    });
  });
}
