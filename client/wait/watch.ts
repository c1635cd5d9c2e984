/**
 * Waiting until objects are ready: one informer per collection (kind and namespace) holding the objects,
 * and one per collection of what they own that their checkers look at (ReplicaSets, Pods); each object
 * is judged by the readiness registry on every change to it or to what it owns, and the Kubernetes
 * Events of those objects are streamed alongside. No polling: everything comes from watches.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../transport/api-client.js';
import { ApiError } from '../transport/api-client.js';
import type { KubeEvent, ObjectEvent } from './events.js';
import { describeEvent, EventAggregator } from './events.js';
import { inform } from './informer.js';
import { objectRef } from '../transport/resources.js';
import { OwnedIndex } from './owned-objects.js';
import { readRelated, RelatedObjectStore, watchRelated } from './related-objects.js';
import type { LiveObject, Readiness, ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import type { Cluster, Manifest, ResourceType } from '../transport/resources.js';
import { resourcePath } from '../transport/resources.js';

export const OUTCOMES = ['ready', 'failed', 'timed-out'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ObjectStatus {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly readiness: Readiness;
  /** Set once the object is done: ready, failed, or out of time. */
  readonly outcome?: Outcome;
  /**
   * The latest Warning about the object or what it owns, aggregated, for an object still progressing
   * (what a timed-out wait and `status` say besides the readiness; a failure says why itself).
   *
   * @default - none
   */
  readonly lastWarning?: ObjectEvent;
}

export interface WaitOptions {
  /**
   * How long to wait for everything.
   *
   * @default 300000
   */
  readonly timeoutMs?: number;
  /**
   * How long to wait for any one object, from when it first shows up in the cluster.
   *
   * @default - the overall timeout
   */
  readonly objectTimeoutMs?: number;
  /**
   * Told each time an object's readiness changes.
   *
   * @default - nothing is told
   */
  readonly onStatus?: (status: ObjectStatus) => void;
  /**
   * Told each Kubernetes Event about one of the objects, or about what they own, that happens while
   * waiting; a recurring one again each time its count doubles (1, 2, 4, 8, ...), aggregated.
   *
   * @default - events are not told (they are still read, for each unready object's last Warning)
   */
  readonly onEvent?: (event: ObjectEvent) => void;
  /**
   * Told when a watch broke and is being re-established.
   *
   * @default - nothing is told
   */
  readonly onRetry?: (error: unknown) => void;
  /**
   * The checkers that judge each kind.
   *
   * @default DEFAULT_READINESS
   */
  readonly readiness?: ReadinessRegistry;
  /**
   * Where the wait's story starts (the apply it waits for): an object's last Warning is one seen since
   * then, never one left by an older release.
   *
   * @default - any time: a wait of its own (`watch`) reports the latest Warning however old
   */
  readonly since?: Date;
}

export interface WaitResult {
  /** failed if any object failed, else timed-out if any ran out of time, else ready. */
  readonly outcome: Outcome;
  readonly objects: readonly ObjectStatus[];
}

const NOT_FOUND: Readiness = { state: 'progressing', message: 'not found yet' };
const NOT_LISTED: Readiness = { state: 'progressing', message: 'waiting for the first list' };

/** Waits until every object (with its namespace settled) is ready, has failed, or is out of time. */
export async function waitForReady(
  cluster: Cluster,
  objects: readonly Manifest[],
  options: WaitOptions = {},
): Promise<WaitResult> {
  const statuses = new Map<string, ObjectStatus>(
    objects.map((o) => [objectRef(o), { ref: objectRef(o), readiness: NOT_LISTED }]),
  );
  const since = options.since?.getTime();
  const controller = new AbortController();
  // One listener per informer and per backoff wait: many collections are not a leak.
  setMaxListeners(0, controller.signal);
  const timers: NodeJS.Timeout[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));

  const settle = (ref: string, readiness: Readiness, outcome?: Outcome) => {
    const previous = statuses.get(ref);
    if (!previous || previous.outcome) {
      return;
    }
    const changed =
      previous.readiness.state !== readiness.state ||
      previous.readiness.message !== readiness.message ||
      previous.readiness.phase !== readiness.phase ||
      outcome !== undefined;
    const next: ObjectStatus = { ref, readiness, outcome };
    statuses.set(ref, next);
    if (changed) {
      options.onStatus?.(next);
    }
    if ([...statuses.values()].every((s) => s.outcome)) {
      finish();
    }
  };
  const registry = options.readiness ?? DEFAULT_READINESS;
  const owned = new OwnedIndex();
  const related = new RelatedObjectStore();
  const viewOf = (object: LiveObject, index: OwnedIndex) =>
    related.view(
      index.ownedBy(object.metadata.uid as string),
      object.metadata.namespace ?? 'default',
      registry.checkerFor(object.apiVersion, object.kind).related ?? [],
    );
  // The latest version of each object, by uid, to judge it again when something it owns changes.
  const latest = new Map<string, LiveObject>();
  // Objects are judged once what they own has been listed: a verdict without it would miss, for example,
  // which TaskRun of a failed PipelineRun failed.
  const ownedListed = new Set<string>();
  let ownedComplete = false;
  // Verdicts that time alone changes are judged again when it has (see Readiness.recheckAfterMs).
  const rechecks = new Map<string, NodeJS.Timeout>();
  const judge = (object: LiveObject) => {
    startClock(objectRef(object));
    latest.set(object.metadata.uid as string, object);
    if (!ownedComplete) {
      return;
    }
    const readiness = registry.readinessOf(object, viewOf(object, owned));
    const outcome =
      readiness.state === 'ready' ? 'ready' : readiness.state === 'failed' ? 'failed' : undefined;
    settle(objectRef(object), readiness, outcome);
    const uid = object.metadata.uid as string;
    clearTimeout(rechecks.get(uid));
    if (readiness.recheckAfterMs !== undefined && !outcome) {
      rechecks.set(
        uid,
        setTimeout(() => judge(latest.get(uid)!), readiness.recheckAfterMs),
      );
    }
  };
  const ownedChanged = (object: LiveObject) => {
    for (const uid of owned.ancestorsOf(object)) {
      const root = latest.get(uid);
      if (root) {
        judge(root);
      }
    }
  };
  const timeOut = (refs: Iterable<string>) => {
    for (const ref of refs) {
      const status = statuses.get(ref)!;
      settle(ref, status.readiness, 'timed-out');
    }
  };

  timers.push(setTimeout(() => timeOut(statuses.keys()), options.timeoutMs ?? 300_000));
  // An object's own clock starts when it first shows up: one created late by a controller gets its full time.
  const clocks = new Set<string>();
  const startClock = (ref: string) => {
    if (options.objectTimeoutMs !== undefined && !clocks.has(ref)) {
      clocks.add(ref);
      timers.push(setTimeout(() => timeOut([ref]), options.objectTimeoutMs));
    }
  };

  const collections = new Map<string, Manifest[]>();
  for (const object of objects) {
    const type = await cluster.catalog.lookup(object.apiVersion, object.kind);
    const path = resourcePath(type, object.metadata.namespace);
    collections.set(path, [...(collections.get(path) ?? []), object]);
  }
  const ownedCollections = await ownedCollectionsOf(cluster, registry, objects);
  ownedComplete = ownedCollections.size === 0;
  const relatedWatches = await watchRelated(cluster, registry, objects, related, {
    signal: controller.signal,
    onRetry: options.onRetry,
    onChange: (namespace) =>
      [...latest.values()].filter((o) => o.metadata.namespace === namespace).forEach(judge),
  });
  await Promise.race([relatedWatches.synced, finished]);
  const informers = [...collections].map(([path, members]) => {
    const names = new Set(members.map((m) => m.metadata.name));
    const withKind = (o: LiveObject): LiveObject => ({
      ...o,
      apiVersion: members[0].apiVersion,
      kind: members[0].kind,
    });
    return inform<LiveObject>(cluster.api, {
      path,
      // One object: let the server filter. Several: one watch for the whole collection.
      fieldSelector: members.length === 1 ? `metadata.name=${members[0].metadata.name}` : undefined,
      signal: controller.signal,
      onRetry: options.onRetry,
      onList: (items) => {
        const seen = new Set(items.map((i) => i.metadata.name));
        for (const item of items.filter((i) => names.has(i.metadata.name))) {
          judge(withKind(item));
        }
        for (const missing of members.filter((m) => !seen.has(m.metadata.name))) {
          settle(objectRef(missing), NOT_FOUND);
        }
      },
      onChange: (type, object) => {
        if (!names.has(object.metadata.name)) {
          return;
        }
        const live = withKind(object);
        if (type === 'DELETED') {
          settle(objectRef(live), { state: 'progressing', message: 'deleted' });
        } else {
          judge(live);
        }
      },
    });
  });
  const listed = (path: string) => {
    ownedListed.add(path);
    if (!ownedComplete && ownedListed.size === ownedCollections.size) {
      ownedComplete = true;
      [...latest.values()].forEach(judge);
    }
  };
  const ownedInformers = [...ownedCollections].map(([path, type]) => {
    const withKind = (o: LiveObject): LiveObject => ({ ...o, apiVersion: type.apiVersion, kind: type.kind });
    return inform<LiveObject>(cluster.api, {
      path,
      signal: controller.signal,
      onRetry: (error) => {
        // A deployer who may not list what the objects own still gets them judged, on their own status.
        if (error instanceof ApiError && error.code === 403) {
          listed(path);
        }
        options.onRetry?.(error);
      },
      onList: (items) => {
        // A list after a broken watch replaces the collection: what went meanwhile is gone from it too.
        const gone = owned.replace(path, items.map(withKind));
        [...items.map(withKind), ...gone].forEach(ownedChanged);
        listed(path);
      },
      onChange: (change, object) => {
        const live = withKind(object);
        if (change === 'DELETED') {
          owned.remove(live);
        } else {
          owned.put(live, path);
        }
        ownedChanged(live);
      },
    });
  });
  const eventGroups = new EventAggregator();
  const refs = new Set(statuses.keys());
  const events = watchEvents(
    cluster.api,
    objects,
    controller.signal,
    eventGroups,
    (uid, ref) =>
      refs.has(ref) || (uid !== undefined && owned.ancestorsOfUid(uid).some((a) => latest.has(a))),
    options.onEvent,
  );

  await finished;
  // The events that led here are told before the result: an object ready at its first list would
  // otherwise end the watch before the events were listed (a second at most, should events be unreadable).
  // Unreferenced, so that this second never keeps the process alive after the events were listed.
  await Promise.race([events.listed, sleep(1000, undefined, { ref: false })]);
  controller.abort();
  timers.forEach(clearTimeout);
  rechecks.forEach(clearTimeout);
  await Promise.all([...informers, ...ownedInformers, ...relatedWatches.running, ...events.watches]);
  const uids = new Map([...latest.values()].map((o) => [objectRef(o), o.metadata.uid as string]));
  const final = [...statuses.values()].map((s) => {
    // A failure says why itself; what is still waiting is explained by what last went wrong.
    const lastWarning =
      s.outcome === 'timed-out'
        ? lastWarningOf(eventGroups, owned, uids.get(s.ref), s.ref, since)
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

/**
 * Keeps `aggregator` up to date with the Events in the objects' namespaces, and tells those about the
 * objects, or about what they own, that happen from now on. Events carry second-precision times, so
 * "from now" starts at the previous second; a group of recurring events is told again each time its
 * count doubles.
 */
function watchEvents(
  api: ApiClient,
  objects: readonly Manifest[],
  signal: AbortSignal,
  aggregator: EventAggregator,
  relevant: (uid: string | undefined, ref: string) => boolean,
  onEvent?: (event: ObjectEvent) => void,
): { watches: Promise<void>[]; listed: Promise<unknown> } {
  const since = Math.floor(Date.now() / 1000) * 1000 - 1000;
  const namespaces = [...new Set(objects.map((o) => o.metadata.namespace ?? ''))];
  const toldAt = new Map<string, number>();
  const report = (item: KubeEvent) => {
    const { event, at, uid, group } = aggregator.add(item);
    if (!onEvent || at < since || !relevant(uid, event.ref)) {
      return;
    }
    const told = toldAt.get(group);
    if (told === undefined || event.count >= told * 2) {
      toldAt.set(group, event.count);
      onEvent(event);
    }
  };
  const listings = namespaces.map(() => {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const watches = namespaces.map((namespace, i) =>
    inform<KubeEvent>(api, {
      path: eventsPath(namespace),
      signal,
      onList: (items) => {
        items.forEach(report);
        listings[i].resolve();
      },
      onChange: (type, item) => {
        if (type !== 'DELETED') {
          report(item);
        }
      },
    }),
  );
  return { watches, listed: Promise.all(listings.map((l) => l.promise)) };
}

const eventsPath = (namespace: string) =>
  namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events';

/**
 * The latest Warning about the object with `uid` (and `ref`) or anything beneath it, last seen no earlier
 * than the second of `since` (Events carry second-precision times) when given.
 */
function lastWarningOf(
  events: EventAggregator,
  owned: OwnedIndex,
  uid: string | undefined,
  ref: string,
  since?: number,
): ObjectEvent | undefined {
  const uids = new Set(uid ? [uid, ...owned.descendantsOf(uid).map((o) => o.metadata.uid as string)] : []);
  const from = since === undefined ? -Infinity : Math.floor(since / 1000) * 1000;
  return events
    .warningsAbout(uids, new Set([ref]))
    .filter((event) => Date.parse(event.lastSeen) >= from)
    .at(-1);
}

/**
 * The collections (URL paths) of the kinds that the objects' checkers look at beneath them, in the
 * objects' namespaces, with the type of each. Kinds the cluster does not serve are left out.
 */
async function ownedCollectionsOf(
  cluster: Cluster,
  registry: ReadinessRegistry,
  objects: readonly Manifest[],
): Promise<Map<string, ResourceType>> {
  const collections = new Map<string, ResourceType>();
  for (const object of objects) {
    for (const kind of registry.checkerFor(object.apiVersion, object.kind).owns ?? []) {
      const type = await cluster.catalog.lookup(kind.apiVersion, kind.kind).catch(() => undefined);
      if (type) {
        collections.set(resourcePath(type, object.metadata.namespace), type);
      }
    }
  }
  return collections;
}

/**
 * The readiness of each object right now, from one read each, one list per owned collection and one of
 * the Events of each namespace (for `status`); an object that is not ready carries its last Warning.
 */
export async function currentStatus(
  cluster: Cluster,
  objects: readonly Manifest[],
  registry: ReadinessRegistry = DEFAULT_READINESS,
): Promise<ObjectStatus[]> {
  const owned = new OwnedIndex();
  const events = new EventAggregator();
  await Promise.all([
    ...[...(await ownedCollectionsOf(cluster, registry, objects))].map(async ([path, type]) => {
      const list = await cluster.api.request<{ items: LiveObject[] }>({ path });
      list.items.forEach((item) => owned.put({ ...item, apiVersion: type.apiVersion, kind: type.kind }));
    }),
    ...[...new Set(objects.map((o) => o.metadata.namespace ?? ''))].map(async (namespace) => {
      // Events explain; a deployer who may not read them still gets each object's readiness.
      const list = await cluster.api
        .request<{ items: KubeEvent[] }>({ path: eventsPath(namespace) })
        .catch(() => ({ items: [] }));
      list.items.forEach((item) => events.add(item));
    }),
  ]);
  const related = await readRelated(cluster, registry, objects);
  return Promise.all(
    objects.map(async (object): Promise<ObjectStatus> => {
      const ref = objectRef(object);
      try {
        const live = await cluster.api.request<LiveObject>({ path: await cluster.catalog.pathOf(object) });
        const withKind = { ...live, apiVersion: object.apiVersion, kind: object.kind };
        const { related: kinds = [] } = registry.checkerFor(object.apiVersion, object.kind);
        const uid = live.metadata.uid as string;
        const readiness = registry.readinessOf(
          withKind,
          related.view(owned.ownedBy(uid), object.metadata.namespace ?? 'default', kinds),
        );
        const lastWarning = readiness.state === 'ready' ? undefined : lastWarningOf(events, owned, uid, ref);
        return { ref, readiness, ...(lastWarning ? { lastWarning } : {}) };
      } catch (error) {
        if (error instanceof ApiError && error.code === 404) {
          return { ref, readiness: { state: 'progressing', message: 'not found' } };
        }
        throw error;
      }
    }),
  );
}

/**
 * Each object that is not ready, with its readiness and last Warning, one line each:
 * `  - Job/shop/migrate: timed out: 0 active, 0 succeeded; last warning: FailedCreate x7 over 12s: ...`.
 */
export function describeUnready(objects: readonly ObjectStatus[]): string {
  return objects
    .filter((o) => o.outcome !== 'ready' && o.readiness.state !== 'ready')
    .map(
      (o) =>
        `  - ${o.ref}: ${o.outcome === 'timed-out' ? 'timed out' : o.readiness.state === 'failed' ? 'failed' : 'not ready'}: ${o.readiness.message}${o.lastWarning ? `; last warning: ${describeEvent(o.lastWarning)}` : ''}`,
    )
    .join('\n');
}
