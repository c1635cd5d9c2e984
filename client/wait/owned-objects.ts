/**
 * The objects beneath the ones being judged, indexed by owner (`metadata.ownerReferences`), so that a
 * checker sees a Deployment's ReplicaSets and their Pods, and a change to a Pod re-judges its Deployment;
 * one informer per kind (its checkers' `owns`) across the objects' namespaces (see scopes.ts), watched
 * while waiting or read once for `status`.
 */
import type { LimitFunction } from 'p-limit';
import type { Cluster, Manifest, ResourceType } from '../transport/resources.js';
import { informAcross } from './scopes.js';
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

/** A kind the checkers look at beneath the objects, and the namespaces of the objects that own it. */
export interface OwnedCollection {
  readonly type: ResourceType;
  readonly namespaces: Set<string>;
}

/**
 * The kinds that the objects' checkers look at beneath them, each with the objects' namespaces, by kind.
 * Kinds the cluster does not serve are left out.
 */
export async function ownedCollectionsOf(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
): Promise<Map<string, OwnedCollection>> {
  const collections = new Map<string, OwnedCollection>();
  for (const object of objects) {
    for (const kind of registry.checkerFor(object.apiVersion, object.kind).owns ?? []) {
      const type = await cluster.catalog.lookup(kind.apiVersion, kind.kind).catch(() => undefined);
      if (type) {
        const key = `${type.apiVersion}/${type.resource}`;
        const collection = collections.get(key) ?? { type, namespaces: new Set<string>() };
        collection.namespaces.add(object.metadata.namespace ?? '');
        collections.set(key, collection);
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
  /** Where each list waits its turn. @default - listed at once */
  readonly lists?: LimitFunction;
}

/** Keeps `index` up to date with `collections` until the signal aborts. */
export function watchOwned(
  cluster: Cluster,
  collections: ReadonlyMap<string, OwnedCollection>,
  index: OwnedIndex,
  options: OwnedWatchOptions,
): Promise<void>[] {
  const listed = new Set<string>();
  return [...collections].map(([key, { type, namespaces }]) => {
    const withKind = (o: LiveObject): LiveObject => ({ ...o, apiVersion: type.apiVersion, kind: type.kind });
    return informAcross<LiveObject>(cluster.api, type, namespaces, {
      signal: options.signal,
      onRetry: options.onRetry,
      lists: options.lists,
      onSynced: () => {
        listed.add(key);
        if (listed.size === collections.size) {
          options.onSynced();
        }
      },
      onList: (items, scope) => {
        // A list after a broken watch replaces the collection: what went meanwhile is gone from it too.
        const gone = index.replace(scope.path, items.map(withKind));
        [...items.map(withKind), ...gone].forEach(options.onChange);
      },
      onChange: (change, object, scope) => {
        const live = withKind(object);
        if (change === 'DELETED') {
          index.remove(live);
        } else {
          index.put(live, scope.path);
        }
        options.onChange(live);
      },
    });
  });
}
