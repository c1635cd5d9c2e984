/**
 * Recreating a workload whose update the API server refuses because a field is immutable (a Deployment's
 * selector from before the library selected pods by app.kubernetes.io/name; a Job's template), with the
 * user's consent (`--recreate-on-immutable`, or yes on a terminal). The workload is deleted without its
 * pods (propagation Orphan) and created anew; the new one adopts the old pods when its selector matches
 * them, and otherwise they keep serving beside it until it is ready, then go. A StatefulSet's new pods
 * reuse the old names, so old pods it cannot adopt go before it is created; a Job runs again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError } from '../transport/api-client.js';
import type { ApplyContext } from '../plan/apply-context.js';
import type { Manifest } from '../transport/resources.js';
import { policyOf } from '../recreatable.js';

interface OwnerReference {
  readonly uid: string;
  readonly controller?: boolean;
}

const controllerOf = (object: Manifest) =>
  ((object.metadata.ownerReferences as OwnerReference[] | undefined) ?? []).find((o) => o.controller);

const matches = (selector: Record<string, string>, object: Manifest) =>
  Object.entries(selector).every(([key, value]) => object.metadata.labels?.[key] === value);

/**
 * Deletes `live` for recreation and waits until it is gone; returns what it left behind (its
 * ReplicaSets or Pods) that the new object may not adopt, to delete once the new object is ready.
 */
export async function deleteForRecreation(
  context: ApplyContext,
  live: Manifest,
  desired: Manifest,
): Promise<Manifest[]> {
  const policy = policyOf(live);
  const namespace = encodeURIComponent(live.metadata.namespace ?? context.defaultNamespace);
  const dependents =
    policy === 'Orphan'
      ? (
          await context.api.request<{ items: Manifest[] }>({
            path:
              live.kind === 'Deployment'
                ? `/apis/apps/v1/namespaces/${namespace}/replicasets`
                : `/api/v1/namespaces/${namespace}/pods`,
          })
        ).items
          .filter((o) => controllerOf(o)?.uid === live.metadata.uid)
          .map((o) => ({
            ...o,
            apiVersion: live.kind === 'Deployment' ? 'apps/v1' : 'v1',
            kind: live.kind === 'Deployment' ? 'ReplicaSet' : 'Pod',
          }))
      : [];
  const path = await context.catalog.pathOf(live);
  await deleteExactly(context, path, live, policy);
  // An orphaning delete finishes once the garbage collector has released the dependents.
  for (const deadline = Date.now() + 60_000; ;) {
    const current = await context.api.request<Manifest>({ path }).catch((error: unknown) => {
      if (error instanceof ApiError && error.code === 404) {
        return undefined;
      }
      throw error;
    });
    if (!current || current.metadata.uid !== live.metadata.uid) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`${live.kind} ${live.metadata.name} was not deleted within 60 s; apply again`);
    }
    await sleep(250);
  }
  if (live.kind !== 'StatefulSet') {
    return dependents;
  }
  // A StatefulSet's pods keep their names: those the new one cannot adopt would block its own.
  const selector =
    (desired.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
      ?.matchLabels ?? {};
  await removeLeftovers(
    context,
    dependents.filter((pod) => !matches(selector, pod)),
  );
  return [];
}

/**
 * Deletes what recreated workloads left behind and their new versions did not adopt; returns the
 * `Kind/name` of each object deleted.
 */
export async function removeLeftovers(
  context: ApplyContext,
  leftovers: readonly Manifest[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const leftover of leftovers) {
    const path = await context.catalog.pathOf(leftover);
    try {
      const current = await context.api.request<Manifest>({ path });
      if (current.metadata.uid !== leftover.metadata.uid || controllerOf(current)) {
        continue;
      }
      await deleteExactly(context, path, leftover, 'Background');
      removed.push(`${leftover.kind}/${leftover.metadata.name}`);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) {
        throw error;
      }
    }
  }
  return removed;
}

/** Deletes the object at `path` only if it is still `object` (its uid as a precondition). */
async function deleteExactly(
  context: ApplyContext,
  path: string,
  object: Manifest,
  propagationPolicy: 'Orphan' | 'Background',
): Promise<void> {
  await context.api.request({
    path,
    method: 'DELETE',
    body: {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy,
      preconditions: { uid: object.metadata.uid },
    },
  });
}
