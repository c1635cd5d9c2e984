/**
 * The change set: what applying the manifests would do to each object, computed by the server itself
 * (server-side apply in dry-run mode, so that defaults, webhooks and merges are the real ones), and the
 * members of the ApplySet that pruning would delete. As kapp's changes do, each change carries the live
 * object and the desired one, so that `apply` executes exactly the change set that was shown.
 */
import { isDeepStrictEqual } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import pLimit from 'p-limit';
import YAML from 'yaml';
import { ApiError } from './api-client.js';
import type { ApplyContext } from './apply-context.js';
import { readIfExists, resolveObject, serverSideApply } from './apply-context.js';
import type { ApplySetScope } from './applyset.js';
import { scopeOf, unionScope } from './applyset.js';
import { forEachObject } from './for-each-object.js';
import { objectKey, objectRef } from './manifests.js';
import { normalizeForDiff } from './normalize.js';
import type { Manifest } from './resources.js';
import { UnknownKindError } from './resources.js';

export const OPERATIONS = ['create', 'update', 'delete', 'unchanged'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Change {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly operation: Operation;
  /** The object as it is in the cluster; undefined for a create. */
  readonly live?: Manifest;
  /**
   * The object to apply, its namespace settled and labelled as a member of the ApplySet (as written
   * when its kind is not served yet); undefined for a delete.
   */
  readonly desired?: Manifest;
  /** A unified diff from the live object to the applied one, without server-managed fields; '' when unchanged. */
  readonly diff: string;
}

export interface ChangeSet {
  /** Every object of the manifests, in their order, then every member that pruning deletes. */
  readonly changes: readonly Change[];
  readonly summary: Readonly<Record<Operation, number>>;
  /** What the ApplySet's parent recorded before; undefined when nothing was ever applied. */
  readonly previousScope?: ApplySetScope;
  /** The group kinds and namespaces of the desired objects. */
  readonly desiredScope: ApplySetScope;
  /** Whether members that left the manifests are deleted (listed as deletes). */
  readonly pruning: boolean;
}

export interface ChangeSetOptions {
  /**
   * Whether members of the ApplySet that left the manifests count as deletions.
   *
   * @default true
   */
  readonly prune?: boolean;
  /** @default 16 */
  readonly concurrency?: number;
}

export function hasChanges(changeSet: ChangeSet): boolean {
  return changeSet.changes.some((c) => c.operation !== 'unchanged');
}

/** The objects to apply, in the order of the manifests. */
export function desiredObjects(changeSet: Pick<ChangeSet, 'changes'>): Manifest[] {
  return changeSet.changes.flatMap((c) => (c.desired ? [c.desired] : []));
}

/** The live members that pruning deletes. */
export function prunedObjects(changeSet: ChangeSet): Manifest[] {
  return changeSet.changes.flatMap((c) => (c.operation === 'delete' && c.live ? [c.live] : []));
}

export async function computeChangeSet(
  context: ApplyContext,
  manifests: readonly Manifest[],
  options: ChangeSetOptions = {},
): Promise<ChangeSet> {
  const limit = pLimit(options.concurrency ?? 16);
  // Sent together; the objects' errors come first, as they name what failed.
  const scope = context.applySet.readScope();
  scope.catch(() => {});
  const changes = await forEachObject(
    manifests,
    { limit, step: 'computing the change set', unreachable: 'check the server address and that it is up' },
    (manifest) => changeOf(context, manifest),
  );
  const previousScope = await scope;
  const desiredScope = scopeOf(desiredObjects({ changes }), context.applySet.namespace);
  const pruning = options.prune ?? true;
  if (pruning && previousScope) {
    const desiredKeys = new Set(desiredObjects({ changes }).map(objectKey));
    for (const member of await context.applySet.listMembers(unionScope(previousScope, desiredScope))) {
      if (!desiredKeys.has(objectKey(member))) {
        changes.push({
          ref: objectRef(member),
          operation: 'delete',
          live: member,
          diff: diffOf(member, undefined),
        });
      }
    }
  }
  const summary = Object.fromEntries(
    OPERATIONS.map((op) => [op, changes.filter((c) => c.operation === op).length]),
  ) as Record<Operation, number>;
  return { changes, summary, previousScope, desiredScope, pruning };
}

async function changeOf(context: ApplyContext, manifest: Manifest): Promise<Change> {
  let resolved;
  try {
    resolved = await resolveObject(context, manifest);
  } catch (error) {
    // The kind may come with a CRD of the same app, not installed yet: then the object is new.
    if (error instanceof UnknownKindError) {
      const desired = {
        ...manifest,
        metadata: {
          ...manifest.metadata,
          namespace: manifest.metadata.namespace ?? context.defaultNamespace,
        },
      };
      return { ref: objectRef(desired), operation: 'create', desired, diff: diffOf(undefined, desired) };
    }
    throw error;
  }
  const desired = resolved.manifest;
  const ref = objectRef(desired);
  // The read and the dry run are independent, so they go out together. The dry run validates new
  // objects too (schema, admission, quota), so the change set fails where apply would.
  const [live, predicted] = await Promise.allSettled([
    readIfExists(context, resolved.path),
    serverSideApply(context, resolved, { dryRun: true, force: true }),
  ]);
  if (live.status === 'rejected') {
    throw live.reason;
  }
  if (!live.value) {
    // A new object's namespace may be new too, which the dry run answers with 404.
    if (
      predicted.status === 'rejected' &&
      !(predicted.reason instanceof ApiError && predicted.reason.code === 404)
    ) {
      throw predicted.reason;
    }
    return { ref, operation: 'create', desired, diff: diffOf(undefined, desired) };
  }
  if (predicted.status === 'rejected') {
    throw predicted.reason;
  }
  const diff = diffOf(live.value, predicted.value);
  return { ref, operation: diff ? 'update' : 'unchanged', live: live.value, desired, diff };
}

/** A unified diff of the normalized YAML of both sides ('' when equal); a missing side is empty. */
export function diffOf(live: Manifest | undefined, desired: Manifest | undefined): string {
  const [normalLive, normalDesired] = [live && normalizeForDiff(live), desired && normalizeForDiff(desired)];
  // Most objects of a redeploy are unchanged: compare first, and render YAML only for a real difference.
  if (isDeepStrictEqual(normalLive, normalDesired)) {
    return '';
  }
  const before = normalLive ? YAML.stringify(normalLive, { sortMapEntries: true }) : '';
  const after = normalDesired ? YAML.stringify(normalDesired, { sortMapEntries: true }) : '';
  const ref = objectRef((desired ?? live)!);
  return createTwoFilesPatch(`live/${ref}`, `desired/${ref}`, before, after, undefined, undefined, {
    context: 3,
  });
}
