/**
 * The change set: what applying the manifests would do to each object, computed by the server itself
 * (server-side apply in dry-run mode, so that defaults, webhooks and merges are the real ones), and the
 * members of the ApplySet that pruning would delete. As kapp's changes do, each change carries the live
 * object and the desired one, so that `apply` executes exactly the change set that was shown.
 */
import { isDeepStrictEqual } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import pLimit from 'p-limit';
import jsYaml from 'js-yaml';
import { ApiError, REQUESTS_AT_ONCE } from '../transport/api-client.js';
import type { ApplyContext } from './apply-context.js';
import { ownApplyEntry, resolveObject, serverSideApply } from './apply-context.js';
import type { ApplySetScope } from './applyset.js';
import { scopeOf, unionScope } from './applyset.js';
import { asEngineApplies } from './engine-managed.js';
import { describeFailure, immutableFields, isFieldConflict } from '../errors.js';
import type { StepObserver } from '../steps.js';
import { forEachObject } from './for-each-object.js';
import { LiveObjects } from './live-objects.js';
import { sourceOf, withSourceOf } from './manifests.js';
import { objectKey, objectRef } from '../transport/resources.js';
import { foreignObjectsIn } from './namespace-guard.js';
import { otherOwner, ownershipConflict } from './ownership.js';
import { normalizeForDiff } from './normalize.js';
import { appliedUnchanged } from './owned-fields.js';
import { isRecreatable } from '../recreatable.js';
import type { Manifest, ResolvedObject } from '../transport/resources.js';
import { UnknownKindError } from '../transport/resources.js';

/** `conflict`: apply would fail on this object (another ApplySet owns it, or another field manager owns its fields). */
export const OPERATIONS = ['create', 'update', 'delete', 'unchanged', 'conflict'] as const;
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
  /**
   * A unified diff from the live object to the applied one, without server-managed fields; '' when
   * unchanged. Rendered when first read: an apply that shows no diffs never pays for them.
   */
  readonly diff: string;
  /**
   * Why it is a conflict, and the way out.
   *
   * @default - not a conflict
   */
  readonly reason?: string;
  /**
   * The immutable fields an update changes, for which apply deletes the workload and creates it anew
   * (see recreate.ts); the diff is then from the live object to the manifest as written.
   *
   * @default - updated in place
   */
  readonly recreate?: readonly string[];
  /**
   * The server stores the object exactly as applying it would, field ownership included, so apply sends
   * nothing for it (an unchanged object is not always up to date: a field may change owners).
   *
   * @default false
   */
  readonly upToDate?: boolean;
}

/** A member that left the app but is kept, and why (a Namespace that holds what must not be deleted). */
export interface KeptMember {
  readonly ref: string;
  readonly reason: string;
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
  /** Computed as the GitOps engine applies (ChangeSetOptions.gitops): for showing only, never applied. */
  readonly gitops: boolean;
  /** Members that left the app and are not pruned, with the reason. */
  readonly kept: readonly KeptMember[];
  /**
   * The group kinds and namespaces of the kept members: they stay in the parent's scope, so that a later
   * apply finds them again and prunes them once nothing keeps them.
   */
  readonly keptScope: ApplySetScope;
}

export interface ChangeSetOptions {
  /**
   * Whether members of the ApplySet that left the manifests count as deletions.
   *
   * @default true
   */
  readonly prune?: boolean;
  /** @default REQUESTS_AT_ONCE (32) */
  readonly concurrency?: number;
  /**
   * Take over fields another field manager owns (the dry run forces too, so they show as updates).
   *
   * @default false
   */
  readonly forceConflicts?: boolean;
  /**
   * Take objects that belong to another ApplySet into this one instead of showing them as conflicts.
   *
   * @default false
   */
  readonly adopt?: boolean;
  /**
   * Compare with the objects as the GitOps engine applies them: without the ApplySet's label and digest,
   * fields of other managers shown as the engine's forced apply would set them, and no pruning (the
   * engine prunes by its own inventory). Shows drift from the repository; such a change set is never
   * applied.
   *
   * @default false
   */
  readonly gitops?: boolean;
  /**
   * Allow an empty set of manifests, which prunes every member: only for an explicit deletion.
   *
   * @default false
   */
  readonly allowEmpty?: boolean;
  /**
   * Recreate workloads whose update changes an immutable field (the user consented), instead of failing
   * with the field and the way out.
   *
   * @default false
   */
  readonly recreateOnImmutable?: boolean;
  /** @default - see ReleaseOptions.onStep */
  readonly onStep?: StepObserver;
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
  if (manifests.length === 0 && !options.allowEmpty) {
    // kubectl's refusal: an empty set would prune the whole app.
    throw new Error(
      `no objects passed to apply: the manifests hold no objects, and applying none would delete every object of ApplySet ${context.applySet.name}; check the paths (or run \`npm run synth\`), or run \`cdk8s-devops delete\` to delete the app`,
    );
  }
  const limit = pLimit(options.concurrency ?? REQUESTS_AT_ONCE);
  // Sent together; the objects' errors come first, as they name what failed.
  const scope = context.applySet.readScope();
  scope.catch(() => {});
  const live = new LiveObjects(context);
  const changes = await forEachObject(
    manifests,
    { limit, step: 'computing the change set', unreachable: 'check the server address and that it is up' },
    async (manifest) => {
      const change = await changeOf(context, live, manifest, options);
      await options.onStep?.('diffing');
      return change;
    },
  );
  refuseDuplicates(changes);
  const previousScope = await scope;
  const kept: KeptMember[] = [];
  const keptObjects: Manifest[] = [];
  const desiredScope = scopeOf(desiredObjects({ changes }), context.applySet.namespace);
  const pruning = !options.gitops && (options.prune ?? true);
  if (pruning && previousScope) {
    const desiredKeys = new Set(desiredObjects({ changes }).map(objectKey));
    for (const member of await context.applySet.listMembers(unionScope(previousScope, desiredScope), live)) {
      if (desiredKeys.has(objectKey(member))) {
        continue;
      }
      const keep = member.kind === 'Namespace' && (await namespaceKept(context, member.metadata.name));
      if (keep) {
        kept.push({ ref: objectRef(member), reason: keep });
        keptObjects.push(member);
      } else {
        changes.push(
          withDiff({ ref: objectRef(member), operation: 'delete', live: member }, member, undefined),
        );
      }
    }
  }
  const summary = Object.fromEntries(
    OPERATIONS.map((op) => [op, changes.filter((c) => c.operation === op).length]),
  ) as Record<Operation, number>;
  const keptScope = scopeOf(keptObjects, context.applySet.namespace);
  const gitops = options.gitops ?? false;
  return { changes, summary, previousScope, desiredScope, pruning, gitops, kept, keptScope };
}

/** Why a Namespace that left the app must stay, or '' when it may be pruned. */
async function namespaceKept(context: ApplyContext, namespace: string): Promise<string> {
  if (namespace === context.applySet.namespace) {
    return `it holds the ApplySet's parent Secret and revisions (run \`cdk8s-devops delete\` to delete the app and them)`;
  }
  const foreign = await foreignObjectsIn(context, namespace, context.applySet.id);
  return foreign.length > 0
    ? `it holds objects that are not members of ApplySet ${context.applySet.name} (${foreign.join(', ')}); delete them first, or delete the Namespace yourself`
    : '';
}

/** Two manifests that declare one object: applying both would let the last one win silently. */
function refuseDuplicates(changes: readonly Change[]): void {
  const seen = new Map<string, Manifest>();
  const duplicates: string[] = [];
  for (const desired of desiredObjects({ changes })) {
    const key = objectKey(desired);
    const first = seen.get(key);
    if (first) {
      duplicates.push(`  - ${objectRef(desired)}: ${sourceOf(first)} and ${sourceOf(desired)}`);
    } else {
      seen.set(key, desired);
    }
  }
  if (duplicates.length > 0) {
    throw new Error(
      `the manifests declare ${duplicates.length === 1 ? 'an object' : `${duplicates.length} objects`} twice:\n${duplicates.join('\n')}\nremove one of each pair; nothing was applied`,
    );
  }
}

/** The dry run's answer: the object as the server would store it, or why it would refuse it. */
type DryRun = { status: 'fulfilled'; value: Manifest } | { status: 'rejected'; reason: unknown };

/** What applying `manifest` would do to its object: the server's answer, without changing anything. */
async function changeOf(
  context: ApplyContext,
  liveObjects: LiveObjects,
  manifest: Manifest,
  options: ChangeSetOptions,
): Promise<Change> {
  let resolved;
  try {
    resolved = await resolveObject(context, manifest);
  } catch (error) {
    // The kind may come with a CRD of the same app, not installed yet: then the object is new.
    if (error instanceof UnknownKindError) {
      return creationOfUnknownKind(context, manifest);
    }
    throw error;
  }
  if (options.gitops) {
    resolved = { ...resolved, manifest: asEngineApplies(resolved.manifest) };
  }
  const desired = withSourceOf(manifest, resolved.manifest);
  const ref = objectRef(desired);
  const namespace = resolved.type.namespaced ? desired.metadata.namespace : undefined;
  if (namespace !== undefined && (await liveObjects.namespaceAbsent(namespace))) {
    // Nothing lives in a namespace that does not exist yet (the manifests make it): the dry run could only
    // answer 404, as it does below, so it is not sent. A first apply sends one request per object, not two.
    return withDiff({ ref, operation: 'create', desired }, undefined, desired);
  }
  const live = await liveObjects.get(resolved);
  if (live && !otherOwner(context, live) && appliedUnchanged(live, desired, context.fieldManager)) {
    // Applied from this very manifest and changed by no one since: the server would store nothing.
    return { ref, operation: 'unchanged', live, desired, diff: '', upToDate: true };
  }
  const predicted = await dryRun(context, resolved, live, options);
  if (!live) {
    // A new object's namespace may be new too, which the dry run answers with 404.
    if (
      predicted.status === 'rejected' &&
      !(predicted.reason instanceof ApiError && predicted.reason.code === 404)
    ) {
      throw predicted.reason;
    }
    return withDiff({ ref, operation: 'create', desired }, undefined, desired);
  }
  return changeOfLive(context, { ref, live, desired }, predicted, options);
}

/** The creation of an object whose kind the server does not serve yet, in the default namespace unless it says. */
function creationOfUnknownKind(context: ApplyContext, manifest: Manifest): Change {
  const desired = withSourceOf(manifest, {
    ...manifest,
    metadata: {
      ...manifest.metadata,
      namespace: manifest.metadata.namespace ?? context.defaultNamespace,
    },
  });
  return withDiff({ ref: objectRef(desired), operation: 'create', desired }, undefined, desired);
}

/**
 * The server's answer to applying the object in dry-run mode, settled. The dry run validates new objects
 * too (schema, admission, quota), so the change set fails where apply would; it is given the live object,
 * so that nothing is read twice.
 */
async function dryRun(
  context: ApplyContext,
  resolved: ResolvedObject,
  live: Manifest | undefined,
  options: ChangeSetOptions,
): Promise<DryRun> {
  return serverSideApply(context, resolved, {
    dryRun: true,
    force: (options.forceConflicts || options.gitops) ?? false,
    live: live ?? null,
  }).then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  );
}

/**
 * The change to a live object, from the dry run's answer: a conflict when another owner holds it or its
 * fields, an update that recreates it when it changes immutable fields (and may), else an update, or
 * unchanged when the server would store nothing new.
 */
async function changeOfLive(
  context: ApplyContext,
  { ref, live, desired }: { ref: string; live: Manifest; desired: Manifest },
  predicted: DryRun,
  options: ChangeSetOptions,
): Promise<Change> {
  const conflict = (reason: string): Change => ({
    ref,
    operation: 'conflict',
    live,
    desired,
    diff: '',
    reason,
  });
  const taken = options.adopt || options.gitops ? undefined : await ownershipConflict(context, live, desired);
  if (taken) {
    return conflict(taken);
  }
  if (predicted.status === 'rejected') {
    if (isFieldConflict(predicted.reason)) {
      return conflict(describeFailure(predicted.reason));
    }
    const immutable = immutableFields(predicted.reason);
    if (immutable.length > 0 && options.recreateOnImmutable && isRecreatable(desired)) {
      return withDiff({ ref, operation: 'update', live, desired, recreate: immutable }, live, desired);
    }
    throw predicted.reason;
  }
  const [normalLive, normalApplied] = [normalizeForDiff(live), normalizeForDiff(predicted.value)];
  const operation = isDeepStrictEqual(normalLive, normalApplied) ? 'unchanged' : 'update';
  const owned = ownApplyEntry(live, context.fieldManager)?.fieldsV1;
  const upToDate =
    operation === 'unchanged' &&
    owned !== undefined &&
    isDeepStrictEqual(owned, ownApplyEntry(predicted.value, context.fieldManager)?.fieldsV1);
  return withDiff({ ref, operation, live, desired, upToDate }, live, predicted.value);
}

/** `change` with its diff from `before` to `after`, rendered when first read and then kept. */
function withDiff(
  change: Omit<Change, 'diff'>,
  before: Manifest | undefined,
  after: Manifest | undefined,
): Change {
  let diff: string | undefined;
  return Object.defineProperty({ ...change }, 'diff', {
    enumerable: true,
    get: () => (diff ??= diffOf(before, after)),
  }) as Change;
}

/**
 * One side of a diff: keys sorted, so that both sides list them in the same order; YAML 1.2's core schema,
 * so that only what would read as another type is quoted; one line per value, unfolded.
 */
function diffYaml(object: object): string {
  return jsYaml.dump(object, {
    schema: jsYaml.CORE_SCHEMA,
    noCompatMode: true,
    lineWidth: -1,
    noRefs: true,
    quotingType: '"',
    sortKeys: true,
  });
}

/** A unified diff of the normalized YAML of both sides ('' when equal); a missing side is empty. */
export function diffOf(live: Manifest | undefined, desired: Manifest | undefined): string {
  const [normalLive, normalDesired] = [live && normalizeForDiff(live), desired && normalizeForDiff(desired)];
  if (isDeepStrictEqual(normalLive, normalDesired)) {
    return '';
  }
  const before = normalLive ? diffYaml(normalLive) : '';
  const after = normalDesired ? diffYaml(normalDesired) : '';
  const ref = objectRef((desired ?? live)!);
  return createTwoFilesPatch(`live/${ref}`, `desired/${ref}`, before, after, undefined, undefined, {
    context: 3,
  });
}
