/**
 * Applying a stack: server-side apply stage by stage (see ordering.ts) with bounded concurrency, waiting
 * for new CRDs to be Established before the objects that need them, then pruning the ApplySet members
 * that left the app, and only when every apply succeeded.
 */
import pLimit from 'p-limit';
import { ApiError } from './api-client.js';
import { scopeOf, unionScope } from './applyset.js';
import { forEachObject } from './for-each-object.js';
import { objectKey, objectRef } from './manifests.js';
import { APPLY_STAGES, groupByStage, stageOf } from './ordering.js';
import type { Manifest } from './resources.js';
import { resourcePath } from './resources.js';
import type { Target } from './target.js';
import { resolveObject, serverSideApply } from './target.js';
import { waitForReady } from './watch.js';

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
   * Delete the members of the ApplySet that are no longer in the manifests.
   *
   * @default true
   */
  readonly prune?: boolean;
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
}

export interface ApplyResult {
  /** The objects as the server stored them, in the order they were applied. */
  readonly applied: readonly Manifest[];
  /** `Kind/namespace/name` of every pruned object. */
  readonly pruned: readonly string[];
}

export async function applyManifests(
  target: Target,
  manifests: readonly Manifest[],
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const limit = pLimit(options.concurrency ?? 16);
  const dryRun = options.dryRun ?? false;
  const prune = (options.prune ?? true) && !dryRun;
  const previous = await target.applySet.readScope();
  const desiredScope = scopeOf(
    manifests.map((m) => ({
      ...m,
      metadata: { ...m.metadata, namespace: m.metadata.namespace ?? target.defaultNamespace },
    })),
    target.applySet.namespace,
  );
  if (!dryRun) {
    // kubectl's order: the parent first records a superset, so that an interrupted apply can still be pruned.
    await target.applySet.writeScope(previous ? unionScope(previous, desiredScope) : desiredScope);
  }

  const applied: Manifest[] = [];
  for (const { stage, objects } of groupByStage(manifests)) {
    const stored = await forEachObject(
      objects,
      {
        limit,
        step: `applying the ${stage} stage`,
        hint: 'nothing was pruned; fix the objects above and apply again',
        unreachable: 'nothing was pruned: apply again once the API server is back',
      },
      async (manifest) => {
        const resolved = await resolveObject(target, manifest);
        const result = await serverSideApply(target, resolved, { dryRun, force: options.forceConflicts });
        options.onObject?.({ ref: objectRef(resolved.manifest), action: 'applied' });
        return result;
      },
    );
    applied.push(...stored);
    const crds = stored.filter((o) => o.kind === 'CustomResourceDefinition');
    if (crds.length > 0 && !dryRun) {
      const result = await waitForReady(target, crds, { timeoutMs: options.crdTimeoutMs ?? 60_000 });
      if (result.outcome !== 'ready') {
        throw new Error(
          `the CustomResourceDefinitions ${crds.map((c) => c.metadata.name).join(', ')} were not Established in time; nothing was pruned`,
        );
      }
    }
  }

  const pruned: string[] = [];
  if (prune && previous) {
    const desired = new Set(applied.map(objectKey));
    const stale = (await target.applySet.listMembers(unionScope(previous, desiredScope))).filter(
      (member) => !desired.has(objectKey(member)),
    );
    for (const stage of [...APPLY_STAGES].reverse()) {
      await forEachObject(
        stale.filter((m) => stageOf(m) === stage),
        { limit, step: `pruning the ${stage} stage`, unreachable: 'apply again to finish pruning' },
        async (member) => {
          await deleteObject(target, member);
          pruned.push(objectRef(member));
          options.onObject?.({ ref: objectRef(member), action: 'pruned' });
        },
      );
    }
  }
  if (!dryRun) {
    await target.applySet.writeScope(scopeOf(applied, target.applySet.namespace));
  }
  return { applied, pruned };
}

async function deleteObject(target: Target, member: Manifest): Promise<void> {
  const type = await target.catalog.lookup(member.apiVersion, member.kind);
  try {
    await target.api.request({
      path: resourcePath(type, member.metadata.namespace, member.metadata.name),
      method: 'DELETE',
      query: { propagationPolicy: 'Background' },
    });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) {
      throw error;
    }
  }
}
