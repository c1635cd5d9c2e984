/**
 * What a release whose wait failed left running, per workload: how each object's wait ended and which
 * revision's version of it is stable (the newest version of it that became ready). An Argo Rollout that
 * the controller aborted runs its stable version again; one that was promoted runs the new one. A
 * rollback restores these stable versions instead of going back to the last fully successful revision.
 */
import type { Change, Operation } from '../plan/change-set.js';
import { objectRef } from '../transport/resources.js';
import type { Manifest } from '../transport/resources.js';
import type { ObjectStatus } from '../wait/object-status.js';

/** `promoted`: a Rollout that became Healthy; `aborted`: a Rollout its controller aborted. */
export const WORKLOAD_OUTCOMES = ['promoted', 'ready', 'aborted', 'failed', 'timed-out'] as const;
export type WorkloadOutcomeKind = (typeof WORKLOAD_OUTCOMES)[number];

export interface WorkloadOutcome {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly outcome: WorkloadOutcomeKind;
  /**
   * The revision whose version of the object is stable, when it is an earlier one.
   *
   * @default - this revision's (it became ready, or no earlier version of it ever did)
   */
  readonly stable?: number;
}

/** What history knows of the revision before: its number and, when its wait failed, its outcomes. */
export interface PreviousRevision {
  readonly number: number;
  /** Whether every object of it became ready (or it was not waited for). */
  readonly healthy: boolean;
  readonly workloads?: readonly WorkloadOutcome[];
}

const becameReady = (outcome: WorkloadOutcomeKind) => outcome === 'promoted' || outcome === 'ready';

/** How an object's wait ended, in the words of its kind. */
export function outcomeOf(status: ObjectStatus): WorkloadOutcomeKind {
  const rollout = status.ref.startsWith('Rollout/');
  if (status.outcome === 'ready') {
    return rollout ? 'promoted' : 'ready';
  }
  if (status.outcome === 'timed-out') {
    return 'timed-out';
  }
  return rollout && status.readiness.message.startsWith('RolloutAborted') ? 'aborted' : 'failed';
}

/**
 * The outcomes of a release whose wait failed: every object that did not become ready, and every one
 * it created or changed that did. An object that did not become ready keeps the stable version it had
 * before (none when `created` holds it or history does not know).
 */
export function workloadOutcomes(
  objects: readonly ObjectStatus[],
  changed: ReadonlySet<string>,
  created: ReadonlySet<string>,
  previous: PreviousRevision | undefined,
): WorkloadOutcome[] {
  return objects
    .map((status) => ({ ref: status.ref, outcome: outcomeOf(status) }))
    .filter(({ ref, outcome }) => !becameReady(outcome) || changed.has(ref))
    .map((entry) => {
      const stable =
        becameReady(entry.outcome) || created.has(entry.ref) ? undefined : stableBefore(entry.ref, previous);
      return stable === undefined ? entry : { ...entry, stable };
    });
}

/**
 * The objects a change set creates or updates, and those it creates; a Rollout counts as updated when
 * the workload its workloadRef names is (its pod template is there, its own spec unchanged).
 */
export function changedObjects(changes: readonly Change[]): { changed: Set<string>; created: Set<string> } {
  const refsOf = (...ops: Operation[]) =>
    new Set(changes.filter((c) => ops.includes(c.operation)).map((c) => c.ref));
  const changed = refsOf('create', 'update');
  const desired = new Map(changes.flatMap((c) => (c.desired ? [[c.ref, c.desired] as const] : [])));
  for (const [ref, object] of desired) {
    const workload = workloadOf(object, desired);
    if (workload && changed.has(objectRef(workload))) {
      changed.add(ref);
    }
  }
  return { changed, created: refsOf('create') };
}

/** The revision whose version of `ref` was stable after `previous`. */
function stableBefore(ref: string, previous: PreviousRevision | undefined): number | undefined {
  if (!previous) {
    return undefined;
  }
  const entry = previous.workloads?.find((w) => w.ref === ref);
  if (entry) {
    return becameReady(entry.outcome) ? previous.number : entry.stable;
  }
  // Not listed in a revision whose outcomes were recorded: it was unchanged and became ready there.
  return previous.healthy || previous.workloads ? previous.number : undefined;
}

/** `api promoted, web aborted`: the workloads that did not simply become ready, by name. */
export function describeOutcomes(workloads: readonly WorkloadOutcome[]): string {
  return workloads
    .filter((w) => w.outcome !== 'ready')
    .map((w) => `${nameOf(w)} ${w.outcome}`)
    .join(', ');
}

/** `, with web as in revision 1`: the workloads a rollback restores at an earlier stable version. */
export function describeStable(workloads: readonly WorkloadOutcome[] = []): string {
  const earlier = workloads.filter((w) => w.stable !== undefined);
  return earlier.length === 0
    ? ''
    : `, with ${earlier.map((w) => `${nameOf(w)} as in revision ${w.stable}`).join(', ')}`;
}

const nameOf = (workload: WorkloadOutcome) => workload.ref.split('/').at(-1)!;

/**
 * The revision's manifests with each object that did not become ready replaced by its stable version
 * (a Rollout together with the workload its workloadRef names, which holds its pod template): what
 * was running after the release. `read` gives an earlier revision's manifests.
 */
export async function stableManifests(
  manifests: readonly Manifest[],
  workloads: readonly WorkloadOutcome[],
  read: (revision: number) => Promise<Manifest[]>,
): Promise<Manifest[]> {
  const result = new Map(manifests.map((m) => [objectRef(m), m]));
  for (const { ref, stable } of workloads) {
    if (stable === undefined) {
      continue;
    }
    const earlier = new Map((await read(stable)).map((m) => [objectRef(m), m]));
    const object = earlier.get(ref);
    if (!object) {
      throw new Error(`revision ${stable}, where ${ref} was last stable, does not hold it`);
    }
    for (const part of [object, workloadOf(object, earlier)]) {
      if (part) {
        result.set(objectRef(part), part);
      }
    }
  }
  return [...result.values()];
}

/** The object a Rollout's workloadRef names, from the same manifests. */
function workloadOf(object: Manifest, manifests: ReadonlyMap<string, Manifest>): Manifest | undefined {
  const ref = (object.spec as { workloadRef?: { kind?: string; name?: string } } | undefined)?.workloadRef;
  return object.kind === 'Rollout' && ref?.kind && ref.name
    ? manifests.get(objectRef({ kind: ref.kind, metadata: { ...object.metadata, name: ref.name } }))
    : undefined;
}
