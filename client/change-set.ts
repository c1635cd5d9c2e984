/**
 * The change set: what applying the manifests would do to each object, computed by the server itself
 * (server-side apply in dry-run mode, so that defaults, webhooks and merges are the real ones), and what
 * pruning would delete.
 */
import { isDeepStrictEqual } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import pLimit from 'p-limit';
import YAML from 'yaml';
import { ApiError } from './api-client.js';
import { forEachObject } from './for-each-object.js';
import { objectKey, objectRef } from './manifests.js';
import { normalizeForDiff } from './normalize.js';
import type { Manifest } from './resources.js';
import { UnknownKindError } from './resources.js';
import type { Target } from './target.js';
import { readIfExists, resolveObject, serverSideApply } from './target.js';
import { scopeOf, unionScope } from './applyset.js';

export const OPERATIONS = ['create', 'update', 'delete', 'unchanged'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface Change {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly operation: Operation;
  /** A unified diff from the live object to the applied one, without server-managed fields; '' when unchanged. */
  readonly diff: string;
}

export interface ChangeSet {
  readonly changes: readonly Change[];
  readonly summary: Readonly<Record<Operation, number>>;
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

export async function computeChangeSet(
  target: Target,
  manifests: readonly Manifest[],
  options: ChangeSetOptions = {},
): Promise<ChangeSet> {
  const limit = pLimit(options.concurrency ?? 16);
  const results = await forEachObject(
    manifests,
    { limit, step: 'computing the change set', unreachable: 'check the server address and that it is up' },
    (manifest) => changeOf(target, manifest),
  );
  const desiredKeys = new Set(results.map((c) => c.key));
  const changes: Change[] = results.map((c) => ({ ref: c.ref, operation: c.operation, diff: c.diff }));
  if (options.prune ?? true) {
    const previous = await target.applySet.readScope();
    if (previous) {
      const scope = unionScope(previous, scopeOf(manifests, target.applySet.namespace));
      for (const member of await target.applySet.listMembers(scope)) {
        if (!desiredKeys.has(objectKey(member))) {
          changes.push({ ref: objectRef(member), operation: 'delete', diff: diffOf(member, undefined) });
        }
      }
    }
  }
  const summary = Object.fromEntries(
    OPERATIONS.map((op) => [op, changes.filter((c) => c.operation === op).length]),
  ) as Record<Operation, number>;
  return { changes, summary };
}

async function changeOf(target: Target, manifest: Manifest): Promise<Change & { key: string }> {
  let resolved;
  try {
    resolved = await resolveObject(target, manifest);
  } catch (error) {
    // The kind may come with a CRD of the same app, not installed yet: then the object is new.
    if (error instanceof UnknownKindError) {
      return {
        key: objectKey(manifest),
        ref: objectRef(manifest),
        operation: 'create',
        diff: diffOf(undefined, manifest),
      };
    }
    throw error;
  }
  const ref = objectRef(resolved.manifest);
  const key = objectKey(resolved.manifest);
  // The read and the dry run are independent, so they go out together. The dry run validates new
  // objects too (schema, admission, quota), so the change set fails where apply would.
  const [live, predicted] = await Promise.allSettled([
    readIfExists(target, resolved.path),
    serverSideApply(target, resolved, { dryRun: true, force: true }),
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
    return { key, ref, operation: 'create', diff: diffOf(undefined, resolved.manifest) };
  }
  if (predicted.status === 'rejected') {
    throw predicted.reason;
  }
  const diff = diffOf(live.value, predicted.value);
  return { key, ref, operation: diff ? 'update' : 'unchanged', diff };
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
