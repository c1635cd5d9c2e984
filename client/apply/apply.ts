/**
 * Applying a change set, as it was shown: server-side apply of its desired objects stage by stage (see
 * ordering.ts) with bounded concurrency, waiting for new CRDs to be Established before the objects that
 * need them, then deleting the live objects it lists for pruning, and only when every apply succeeded.
 */
import pLimit from 'p-limit';
import { ApiError } from '../transport/api-client.js';
import type { ApplyContext } from '../plan/apply-context.js';
import { resolveObject, serverSideApply } from '../plan/apply-context.js';
import { unionScope } from '../plan/applyset.js';
import type { ChangeSet } from '../plan/change-set.js';
import { desiredObjects, prunedObjects } from '../plan/change-set.js';
import { checkpoint } from '../checkpoints.js';
import { forEachObject } from '../plan/for-each-object.js';
import { objectRef } from '../transport/resources.js';
import { APPLY_STAGES, groupByStage, stageOf } from '../plan/ordering.js';
import { deleteForRecreation } from './recreate.js';
import type { Manifest } from '../transport/resources.js';
import { KindNotServedError } from '../transport/resources.js';
import { waitForReady } from '../wait/watch.js';

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
   * @default 16
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
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const limit = pLimit(options.concurrency ?? 16);
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
        await checkpoint('applying');
        return result;
      },
    );
    applied.push(...stored);
    const crds = stored.filter((o) => o.kind === 'CustomResourceDefinition');
    if (crds.length > 0 && !dryRun) {
      await waitUntilServed(context, crds, options.crdTimeoutMs ?? 60_000);
    }
  }

  const pruned: string[] = [];
  if (!dryRun) {
    await options.beforePrune?.();
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
          await checkpoint('pruning');
        },
      );
    }
    // Members kept (pruning switched off, or a Namespace that holds others' objects) stay in the parent's
    // scope, so that a later apply can prune them.
    const unpruned = changeSet.changes.length > applied.length + pruned.length;
    const scope = unionScope(desiredScope, changeSet.keptScope);
    await context.applySet.writeScope(unpruned && previousScope ? unionScope(previousScope, scope) : scope);
  }
  return { applied, pruned, recreated, leftovers };
}

/** Waits until new CRDs are Established and discovery serves their kinds, within one deadline. */
async function waitUntilServed(context: ApplyContext, crds: Manifest[], timeoutMs: number): Promise<void> {
  const started = Date.now();
  const result = await waitForReady(context, crds, { timeoutMs });
  if (result.outcome !== 'ready') {
    const names = crds.map((c) => c.metadata.name).join(' ');
    throw new Error(
      `the CustomResourceDefinitions ${names} were not Established within ${timeoutMs / 1000}s; nothing was pruned: see why in their conditions (\`kubectl get crd ${names} -o yaml\`), then apply again`,
    );
  }
  const left = Math.max(timeoutMs - (Date.now() - started), 1000);
  await context.catalog.waitUntilServed(crds, left).catch((error: unknown) => {
    throw error instanceof KindNotServedError
      ? new Error(`${error.message}; nothing was pruned: apply again`, { cause: error })
      : error;
  });
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
