/**
 * The objects a wait tracks and where each one stands, as kapp's WaitingChanges keeps its tracked changes:
 * each object is judged by the readiness registry whenever it, or what it owns or refers to, changes, until
 * it is ready, has failed or is out of time. The informers of the objects, of what they own and of their
 * related kinds feed it; it keeps the clocks.
 */
import { objectRef } from '../transport/resources.js';
import type { Manifest } from '../transport/resources.js';
import type { EventAggregator } from './events.js';
import { lastWarningOf } from './object-events.js';
import type { OwnedIndex } from './owned-objects.js';
import type { LiveObject, Readiness, ReadinessRegistry } from './readiness/index.js';
import type { RelatedObjectStore } from './related-objects.js';
import type { ObjectStatus, Outcome, WaitResult } from './object-status.js';

const NOT_LISTED: Readiness = { state: 'progressing', message: 'waiting for the first list' };

/** Who judges: the checkers, and what they see beneath and beside each object. */
export interface Judges {
  readonly registry: ReadinessRegistry;
  readonly owned: OwnedIndex;
  readonly related: RelatedObjectStore;
}

export interface WaitingOptions {
  /** How long to wait for everything. */
  readonly timeoutMs: number;
  /** How long to wait for any one object, from when it first shows up; unset: the overall timeout. */
  readonly objectTimeoutMs?: number;
  /** Told each time an object's readiness changes. */
  readonly onStatus?: (status: ObjectStatus) => void;
}

export class WaitingObjects {
  /** Resolves once every object is done: ready, failed, or out of time. */
  public readonly done: Promise<void>;
  private finish: () => void = () => {};
  private readonly statuses: Map<string, ObjectStatus>;
  /**
   * The latest version of each object not done yet, by uid, to judge it again when something it owns
   * changes; a done object's verdict never changes, so it is let go (a fleet's objects are mostly done).
   */
  private readonly latest = new Map<string, LiveObject>();
  /** The uids of `latest` by namespace. */
  private readonly byNamespace = new Map<string, Set<string>>();
  /** The uid of each object seen, by ref. */
  private readonly uids = new Map<string, string>();
  private readonly seen = new Set<string>();
  /** How many objects have no outcome yet: the wait is done at none. */
  private pending: number;
  /**
   * Objects are judged once what they own has been listed: a verdict without it would miss, for example,
   * which TaskRun of a failed PipelineRun failed.
   */
  private judging = false;
  /** Verdicts that time alone changes are judged again when it has (see Readiness.recheckAfterMs). */
  private readonly rechecks = new Map<string, NodeJS.Timeout>();
  /** The objects whose own clock runs, by ref. */
  private readonly clocks = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];

  public constructor(
    objects: readonly Manifest[],
    private readonly judges: Judges,
    private readonly options: WaitingOptions,
  ) {
    this.statuses = new Map(objects.map((o) => [objectRef(o), { ref: objectRef(o), readiness: NOT_LISTED }]));
    this.pending = this.statuses.size;
    this.done = new Promise<void>((resolve) => (this.finish = resolve));
    this.timers.push(setTimeout(() => this.timeOut(this.statuses.keys()), options.timeoutMs));
  }

  /** Starts judging, once what the objects own has been listed: every object seen so far, then each change. */
  public startJudging(): void {
    if (!this.judging) {
      this.judging = true;
      [...this.latest.values()].forEach((object) => this.track(object));
    }
  }

  /** The object as it is now: its clock starts, and it is judged (once judging started). */
  public track(object: LiveObject): void {
    const ref = objectRef(object);
    this.startClock(ref);
    const uid = object.metadata.uid as string;
    this.uids.set(ref, uid);
    this.seen.add(uid);
    if (this.statuses.get(ref)?.outcome) {
      return;
    }
    this.latest.set(uid, object);
    const namespace = object.metadata.namespace ?? '';
    this.byNamespace.set(namespace, (this.byNamespace.get(namespace) ?? new Set()).add(uid));
    if (this.judging) {
      this.judge(object);
    }
  }

  /** Something beneath the objects changed: its owners among them are judged again. */
  public ownedChanged(object: LiveObject): void {
    for (const uid of this.judges.owned.ancestorsOf(object)) {
      const root = this.latest.get(uid);
      if (root) {
        this.track(root);
      }
    }
  }

  /**
   * An object of a related `kind` in `namespace` changed: the objects there whose checkers look at that
   * kind are judged again (and only those: a fleet's autoscalers change often, its ConfigMaps never care).
   */
  public namespaceChanged(namespace: string, kind: string): void {
    const { registry } = this.judges;
    [...(this.byNamespace.get(namespace)?.values() ?? [])]
      .map((uid) => this.latest.get(uid))
      .filter((o): o is LiveObject => o !== undefined)
      .filter((o) => registry.checkerFor(o.apiVersion, o.kind).related?.some((r) => r.kind === kind))
      .forEach((o) => this.track(o));
  }

  /** Whether an Event about `ref` (with `uid`) is about one of the objects, or about what it owns. */
  public concerns(uid: string | undefined, ref: string): boolean {
    return (
      this.statuses.has(ref) ||
      (uid !== undefined && this.judges.owned.ancestorsOfUid(uid).some((a) => this.seen.has(a)))
    );
  }

  /** Where the object stands now, and its outcome once done; told to `onStatus` when that changed. */
  public settle(ref: string, readiness: Readiness, outcome?: Outcome): void {
    const previous = this.statuses.get(ref);
    if (!previous || previous.outcome) {
      return;
    }
    const changed =
      previous.readiness.state !== readiness.state ||
      previous.readiness.message !== readiness.message ||
      previous.readiness.phase !== readiness.phase ||
      outcome !== undefined;
    const next: ObjectStatus = { ref, readiness, outcome };
    this.statuses.set(ref, next);
    if (changed) {
      this.options.onStatus?.(next);
    }
    if (outcome !== undefined) {
      this.pending--;
      this.forget(ref);
    }
    if (this.pending === 0) {
      this.finish();
    }
  }

  /** Stops every clock. */
  public stop(): void {
    this.timers.forEach(clearTimeout);
    this.rechecks.forEach(clearTimeout);
  }

  /**
   * The outcome of each object, and of the whole wait: failed if any object failed, else timed-out if any
   * ran out of time, else ready. What timed out carries its last Warning since `since` (a failure says why
   * itself; what is still waiting is explained by what last went wrong).
   */
  public report(events: EventAggregator, since?: number): WaitResult {
    const final = [...this.statuses.values()].map((s) => {
      const lastWarning =
        s.outcome === 'timed-out'
          ? lastWarningOf(events, this.judges.owned, this.uids.get(s.ref), s.ref, since)
          : undefined;
      return lastWarning ? { ...s, lastWarning } : s;
    });
    const outcome: Outcome = final.some((s) => s.outcome === 'failed')
      ? 'failed'
      : final.some((s) => s.outcome === 'timed-out')
        ? 'timed-out'
        : 'ready';
    return { outcome, objects: final };
  }

  /** The registry's verdict on the object, seeing what it owns and refers to; settles it when final. */
  private judge(object: LiveObject): void {
    const uid = object.metadata.uid as string;
    const { registry, owned, related } = this.judges;
    const readiness = registry.readinessOf(
      object,
      related.view(
        owned.ownedBy(uid),
        object.metadata.namespace ?? 'default',
        registry.checkerFor(object.apiVersion, object.kind).related ?? [],
      ),
    );
    const outcome =
      readiness.state === 'ready' ? 'ready' : readiness.state === 'failed' ? 'failed' : undefined;
    this.settle(objectRef(object), readiness, outcome);
    clearTimeout(this.rechecks.get(uid));
    if (readiness.recheckAfterMs !== undefined && !outcome) {
      this.rechecks.set(
        uid,
        setTimeout(() => {
          const live = this.latest.get(uid);
          if (live) {
            this.track(live);
          }
        }, readiness.recheckAfterMs),
      );
    }
  }

  /** Lets go of a done object's live version. */
  private forget(ref: string): void {
    const uid = this.uids.get(ref);
    const live = uid === undefined ? undefined : this.latest.get(uid);
    if (uid !== undefined && live) {
      this.latest.delete(uid);
      this.byNamespace.get(live.metadata.namespace ?? '')?.delete(uid);
    }
  }

  private timeOut(refs: Iterable<string>): void {
    for (const ref of refs) {
      const status = this.statuses.get(ref)!;
      this.settle(ref, status.readiness, 'timed-out');
    }
  }

  /** An object's own clock starts when it first shows up: one created late by a controller gets its full time. */
  private startClock(ref: string): void {
    if (this.options.objectTimeoutMs !== undefined && !this.clocks.has(ref)) {
      this.clocks.add(ref);
      this.timers.push(setTimeout(() => this.timeOut([ref]), this.options.objectTimeoutMs));
    }
  }
}
