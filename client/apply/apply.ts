/**
 * Applying a change set, as it was shown: server-side apply of its desired objects stage by stage (see
 * ordering.ts) with bounded concurrency, letting the release wait for new CRDs to be Established before
 * the objects that need them, then deleting the live objects it lists for pruning, and only when every apply succeeded.
 */
import type { LimitFunction } from 'p-limit';
import pLimit from 'p-limit';
import { ApiError, REQUESTS_AT_ONCE } from '../transport/api-client.js';
import type { ApplyContext } from '../plan/apply-context.js';
import { resolveObject, serverSideApply } from '../plan/apply-context.js';
import { unionScope } from '../plan/applyset.js';
import type { ChangeSet } from '../plan/change-set.js';
import { desiredObjects, prunedObjects } from '../plan/change-set.js';
import type { StepObserver } from '../steps.js';
import { forEachObject } from '../plan/for-each-object.js';
import { objectRef } from '../transport/resources.js';
import { APPLY_STAGES, groupByStage, stageOf } from '../plan/ordering.js';
import { deleteForRecreation } from './recreate.js';
import type { Manifest } from '../transport/resources.js';

export interface ApplyOptions {
  /**
   * Send every request with `dryRun=All`: the server validates but stores nothing; nothing is pruned.
   *
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Take over fields another field manager owns instead of failing with a conflict.
   *
   * @default false
   */
  readonly forceConflicts?: boolean;
  /**
   * How many requests run at once within a stage.
   *
   * @default REQUESTS_AT_ONCE (32)
   */
  readonly concurrency?: number;
  /**
   * How long to wait for new CustomResourceDefinitions to be Established.
   *
   * @default 60000
   */
  readonly crdTimeoutMs?: number;
  /**
   * Told about each object once it is applied or pruned.
   *
   * @default - nothing is told
   */
  readonly onObject?: (event: { readonly ref: string; readonly action: 'applied' | 'pruned' }) => void;
  /**
   * Called once every apply succeeded, before the first deletion; throwing stops the prune (a lost lock).
   *
   * @default - nothing is called
   */
  readonly beforePrune?: () => Promise<void>;
  /**
   * Once aborted (SIGINT), no further request is sent: the requests in flight finish and are told to
   * `onObject`, then the apply throws InterruptedError, before pruning.
   *
   * @default - runs to the end
   */
  readonly signal?: AbortSignal;
  /** @default - see ReleaseOptions.onStep */
  readonly onStep?: StepObserver;
}

/** What the release does around the apply's steps (see Release): given by it, never by a caller. */
export interface ApplySteps extends ApplyOptions {
  /**
   * Resolves once the new CRDs a stage applied are Established and served, before the next stage sends
   * the objects that need them (the release's one place that starts waits).
   */
  readonly untilServed: (crds: readonly Manifest[]) => Promise<void>;
}

export interface ApplyResult {
  /**
   * The objects as the server stores them, in the order of the change set: those sent, and the
   * up-to-date ones it did not need to send.
   */
  readonly applied: readonly Manifest[];
  /** `Kind/namespace/name` of every pruned object. */
  readonly pruned: readonly string[];
  /** The workloads deleted and created anew for an immutable field, as stored. */
  readonly recreated?: readonly Manifest[];
  /** What they left behind (old ReplicaSets, Pods) to delete once they are ready, unless adopted. */
  readonly leftovers?: readonly Manifest[];
}

export async function applyChangeSet(
  context: ApplyContext,
  changeSet: ChangeSet,
  options: ApplySteps,
): Promise<ApplyResult> {
  const limit = pLimit(options.concurrency ?? REQUESTS_AT_ONCE);
  const dryRun = options.dryRun ?? false;
  const { previousScope, desiredScope } = changeSet;
  const prune = prunedObjects(changeSet);
  if (!dryRun) {
    // kubectl's order: the parent first records a superset, so that an interrupted apply can still be pruned.
    await context.applySet.writeScope(previousScope ? unionScope(previousScope, desiredScope) : desiredScope);
  }

  // The live objects the change set read: a Service's controller-owned fields are left out by them.
  const liveOf = new Map(changeSet.changes.flatMap((c) => (c.desired ? [[c.desired, c.live ?? null]] : [])));
  const applied: Manifest[] = [];
  // Stored as applying them would store them: nothing to send.
  const upToDate = new Set(changeSet.changes.filter((c) => c.upToDate && c.desired).map((c) => c.desired!));
  const recreations = new Map(
    changeSet.changes.filter((c) => c.recreate && c.desired).map((c) => [c.desired!, c]),
  );
  const recreated: Manifest[] = [];
  const leftovers: Manifest[] = [];
  for (const { stage, objects } of groupByStage(desiredObjects(changeSet))) {
    const stored = await forEachObject(
      objects,
      {
        limit,
        signal: options.signal,
        step: `applying the ${stage} stage`,
        hint: 'nothing was pruned; fix the objects above and apply again',
        unreachable: 'nothing was pruned: apply again once the API server is back',
      },
      async (manifest) => {
        if (upToDate.has(manifest)) {
          return liveOf.get(manifest)!;
        }
        const resolved = await resolveObject(context, manifest);
        const recreation = recreations.get(manifest);
        if (recreation && dryRun) {
          // The server cannot dry-run a delete and create of one object; the change set validated it.
          return recreation.live!;
        }
        if (recreation) {
          leftovers.push(...(await deleteForRecreation(context, recreation.live!, resolved.manifest)));
        }
        const result = await serverSideApply(context, resolved, {
          dryRun,
          force: options.forceConflicts,
          // A recreated object's live state was just deleted.
          live: recreation ? undefined : liveOf.get(manifest),
        });
        if (recreation) {
          recreated.push(result);
        }
        options.onObject?.({ ref: objectRef(resolved.manifest), action: 'applied' });
        await options.onStep?.('applying');
        return result;
      },
    );
    applied.push(...stored);
    const crds = stored.filter((o) => o.kind === 'CustomResourceDefinition');
    if (crds.length > 0 && !dryRun) {
      await options.untilServed(crds);
    }
  }

  const pruned: string[] = [];
  if (!dryRun) {
    await options.beforePrune?.();
    pruned.push(...(await pruneMembers(context, prune, limit, options)));
    // Members kept (pruning switched off, or a Namespace that holds others' objects) stay in the parent's
    // scope, so that a later apply can prune them.
    const unpruned = changeSet.changes.length > applied.length + pruned.length;
    const scope = unionScope(desiredScope, changeSet.keptScope);
    await context.applySet.writeScope(unpruned && previousScope ? unionScope(previousScope, scope) : scope);
  }
  return { applied, pruned, recreated, leftovers };
}

/** Deletes the members, stage by stage in reverse; the `Kind/namespace/name` of each one pruned. */
async function pruneMembers(
  context: ApplyContext,
  prune: readonly Manifest[],
  limit: LimitFunction,
  options: ApplyOptions,
): Promise<string[]> {
  const pruned: string[] = [];
  for (const stage of [...APPLY_STAGES].reverse()) {
    await forEachObject(
      prune.filter((m) => stageOf(m) === stage),
      {
        limit,
        signal: options.signal,
        step: `pruning the ${stage} stage`,
        unreachable: 'apply again to finish pruning',
      },
      async (member) => {
        await deleteMember(context, member);
        pruned.push(objectRef(member));
        options.onObject?.({ ref: objectRef(member), action: 'pruned' });
        await options.onStep?.('pruning');
      },
    );
  }
  return pruned;
}

/**
 * Deletes the member as it was shown: the uid precondition makes the server refuse to delete an object
 * of the same name made since (by someone else), which the change set never showed.
 */
async function deleteMember(context: ApplyContext, member: Manifest): Promise<void> {
  try {
    await context.api.request({
      path: await context.catalog.pathOf(member),
      method: 'DELETE',
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
        preconditions: { uid: member.metadata.uid },
      },
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) {
      throw error;
    }
  }
}
