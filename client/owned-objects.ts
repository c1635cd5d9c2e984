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

  public put(object: LiveObject): void {
    this.remove(object);
    this.objects.set(uidOf(object), object);
    for (const owner of ownersOf(object)) {
      this.children.set(owner, (this.children.get(owner) ?? new Set()).add(uidOf(object)));
    }
  }

  public remove(object: LiveObject): void {
    const known = this.objects.get(uidOf(object));
    if (!known) {
      return;
    }
    this.objects.delete(uidOf(known));
    for (const owner of ownersOf(known)) {
      this.children.get(owner)?.delete(uidOf(known));
    }
  }

  /** Every descendant of the object with `uid`. */
  public ownedBy(uid: string): OwnedObjects {
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
    return { of: (kind) => found.filter((o) => o.kind === kind) };
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
