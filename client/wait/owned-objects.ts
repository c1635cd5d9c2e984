/**
 * The objects beneath the ones being judged, indexed by owner (`metadata.ownerReferences`), so that a
 * checker sees a Deployment's ReplicaSets and their Pods, and a change to a Pod re-judges its Deployment.
 */
import type { LiveObject, OwnedObjects, OwnerReference } from './readiness/index.js';

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
