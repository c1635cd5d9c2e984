/**
 * Waiting until objects are ready: one informer per collection (kind and namespace) holding the objects,
 * and one per collection of what they own that their checkers look at (ReplicaSets, Pods); each object
 * is judged by the readiness registry on every change to it or to what it owns, and the Kubernetes
 * Events of those objects are streamed alongside. No polling: everything comes from watches.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client.js';
import { ApiError } from './api-client.js';
import { inform } from './informer.js';
import { objectRef } from './manifests.js';
import { OwnedIndex } from './owned-objects.js';
import { readRelated, RelatedObjectStore, watchRelated } from './related-objects.js';
import type { LiveObject, Readiness, ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import type { Cluster, Manifest, ResourceType } from './resources.js';
import { resourcePath } from './resources.js';

export const OUTCOMES = ['ready', 'failed', 'timed-out'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ObjectStatus {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly readiness: Readiness;
  /** Set once the object is done: ready, failed, or out of time. */
  readonly outcome?: Outcome;
}

export interface ObjectEvent {
  /** The object the event is about. */
  readonly ref: string;
  /** `Normal` or `Warning`. */
  readonly type: string;
  readonly reason: string;
  readonly message: string;
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
   * Told each Kubernetes Event about one of the objects that happens while waiting.
   *
   * @default - events are not watched
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
  const judge = (object: LiveObject) => {
    startClock(objectRef(object));
    latest.set(object.metadata.uid as string, object);
    const readiness = registry.readinessOf(object, viewOf(object, owned));
    const outcome =
      readiness.state === 'ready' ? 'ready' : readiness.state === 'failed' ? 'failed' : undefined;
    settle(objectRef(object), readiness, outcome);
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
  const ownedInformers = [...ownedCollections].map(([path, type]) => {
    const withKind = (o: LiveObject): LiveObject => ({ ...o, apiVersion: type.apiVersion, kind: type.kind });
    return inform<LiveObject>(cluster.api, {
      path,
      signal: controller.signal,
      onRetry: options.onRetry,
      onList: (items) => {
        items.forEach((item) => owned.put(withKind(item)));
        items.forEach((item) => ownedChanged(withKind(item)));
      },
      onChange: (change, object) => {
        const live = withKind(object);
        if (change === 'DELETED') {
          owned.remove(live);
        } else {
          owned.put(live);
        }
        ownedChanged(live);
      },
    });
  });
  const events = options.onEvent
    ? watchEvents(cluster.api, objects, controller.signal, options.onEvent)
    : { watches: [], listed: Promise.resolve() };

  await finished;
  // The events that led here are told before the result: an object ready at its first list would
  // otherwise end the watch before the events were listed (a second at most, should events be unreadable).
  await Promise.race([events.listed, sleep(1000)]);
  controller.abort();
  timers.forEach(clearTimeout);
  await Promise.all([...informers, ...ownedInformers, ...relatedWatches.running, ...events.watches]);
  const final = [...statuses.values()];
  const outcome: Outcome = final.some((s) => s.outcome === 'failed')
    ? 'failed'
    : final.some((s) => s.outcome === 'timed-out')
      ? 'timed-out'
      : 'ready';
  return { outcome, objects: final };
}

interface KubeEvent extends Manifest {
  readonly involvedObject: { kind: string; name: string; namespace?: string };
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
}

/**
 * Streams the Events about the objects that happen from now on. Events carry second-precision times, so
 * "from now" starts at the previous second; each event is told once per occurrence (uid and count).
 */
function watchEvents(
  api: ApiClient,
  objects: readonly Manifest[],
  signal: AbortSignal,
  onEvent: (event: ObjectEvent) => void,
): { watches: Promise<void>[]; listed: Promise<unknown> } {
  const since = Math.floor(Date.now() / 1000) * 1000 - 1000;
  const refs = new Set(objects.map(objectRef));
  const namespaces = [...new Set(objects.map((o) => o.metadata.namespace ?? ''))];
  const told = new Set<string>();
  const report = (item: KubeEvent) => {
    const ref = objectRef({
      kind: item.involvedObject.kind,
      metadata: { name: item.involvedObject.name, namespace: item.involvedObject.namespace },
    });
    const time = Date.parse(
      item.lastTimestamp ?? item.eventTime ?? (item.metadata.creationTimestamp as string),
    );
    const key = `${item.metadata.uid as string}/${item.count ?? 1}`;
    if (!refs.has(ref) || time < since || told.has(key)) {
      return;
    }
    told.add(key);
    onEvent({ ref, type: item.type ?? 'Normal', reason: item.reason ?? '', message: item.message ?? '' });
  };
  const listings = namespaces.map(() => {
    let resolve: () => void = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  });
  const watches = namespaces.map((namespace, i) =>
    inform<KubeEvent>(api, {
      path: namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events',
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

/** The readiness of each object right now, from one read each and one list per owned collection (for `status`). */
export async function currentStatus(
  cluster: Cluster,
  objects: readonly Manifest[],
  registry: ReadinessRegistry = DEFAULT_READINESS,
): Promise<ObjectStatus[]> {
  const owned = new OwnedIndex();
  await Promise.all(
    [...(await ownedCollectionsOf(cluster, registry, objects))].map(async ([path, type]) => {
      const list = await cluster.api.request<{ items: LiveObject[] }>({ path });
      list.items.forEach((item) => owned.put({ ...item, apiVersion: type.apiVersion, kind: type.kind }));
    }),
  );
  const related = await readRelated(cluster, registry, objects);
  return Promise.all(
    objects.map(async (object) => {
      const ref = objectRef(object);
      try {
        const live = await cluster.api.request<LiveObject>({ path: await cluster.catalog.pathOf(object) });
        const withKind = { ...live, apiVersion: object.apiVersion, kind: object.kind };
        const { related: kinds = [] } = registry.checkerFor(object.apiVersion, object.kind);
        return {
          ref,
          readiness: registry.readinessOf(
            withKind,
            related.view(
              owned.ownedBy(live.metadata.uid as string),
              object.metadata.namespace ?? 'default',
              kinds,
            ),
          ),
        };
      } catch (error) {
        if (error instanceof ApiError && error.code === 404) {
          return { ref, readiness: { state: 'progressing', message: 'not found' } };
        }
        throw error;
      }
    }),
  );
}
