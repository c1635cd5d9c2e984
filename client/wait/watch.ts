/**
 * Waiting until objects are ready: one informer per collection (kind and namespace) holding the objects,
 * one per collection of what they own that their checkers look at (ReplicaSets, Pods) and one per related
 * kind, feeding the objects' WaitingObjects, which judges each object by the readiness registry on every
 * change to it or to what it sees; the Kubernetes Events of those objects are streamed alongside. No
 * polling: everything comes from watches.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LimitFunction } from 'p-limit';
import pLimit from 'p-limit';
import { objectRef } from '../transport/resources.js';
import type { Cluster, Manifest, ResourceType } from '../transport/resources.js';
import type { ObjectEvent } from './events.js';
import { EventAggregator } from './events.js';
import { watchEvents } from './object-events.js';
import type { ObjectStatus, WaitResult } from './object-status.js';
import { OwnedIndex, ownedCollectionsOf, watchOwned } from './owned-objects.js';
import type { LiveObject, Readiness, ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import { RelatedObjectStore, watchRelated } from './related-objects.js';
import { informAcross } from './scopes.js';
import { WaitingObjects } from './waiting-objects.js';

// The client's other stages and the tests import these from here.

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
   * Told once every object, what they own and what their checkers refer to, and their Events, has been
   * listed: from then on, each change is told as it happens.
   *
   * @default - nothing is told
   */
  readonly onWatching?: (objects: number) => void;
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

const NOT_FOUND: Readiness = { state: 'progressing', message: 'not found yet' };

/** Waits until every object (with its namespace settled) is ready, has failed, or is out of time. */
export async function waitForReady(
  cluster: Cluster,
  objects: readonly Manifest[],
  options: WaitOptions = {},
): Promise<WaitResult> {
  const registry = options.readiness ?? DEFAULT_READINESS;
  const judges = { registry, owned: new OwnedIndex(), related: new RelatedObjectStore() };
  const waiting = new WaitingObjects(objects, judges, {
    timeoutMs: options.timeoutMs ?? 300_000,
    objectTimeoutMs: options.objectTimeoutMs,
    onStatus: options.onStatus,
  });
  const controller = new AbortController();
  // One listener per informer and per backoff wait: many collections are not a leak.
  setMaxListeners(0, controller.signal);
  const { signal } = controller;
  const { onRetry } = options;
  // Lists one at a time: a fleet's collections, all answered at once, would all be in memory at once.
  const lists = pLimit(1);
  const collections = await collectionsOf(cluster, objects);
  const ownedCollections = await ownedCollectionsOf(cluster, registry, objects);
  let ownedSynced: () => void = () => {};
  const ownedListed = new Promise<void>((resolve) => (ownedSynced = resolve));
  if (ownedCollections.size === 0) {
    waiting.startJudging();
    ownedSynced();
  }
  const relatedWatches = await watchRelated(cluster, registry, objects, judges.related, {
    signal,
    onRetry,
    lists,
    onChange: (namespace, kind) => waiting.namespaceChanged(namespace, kind),
  });
  await Promise.race([relatedWatches.synced, waiting.done]);
  const informers = [...collections.values()].map((collection) =>
    watchObjects(cluster, collection, waiting, { signal, onRetry, lists }),
  );
  const ownedInformers = watchOwned(cluster, ownedCollections, judges.owned, {
    signal,
    onRetry,
    lists,
    onChange: (object) => waiting.ownedChanged(object),
    onSynced: () => {
      waiting.startJudging();
      ownedSynced();
    },
  });
  const eventGroups = new EventAggregator();
  const events = watchEvents(
    cluster.api,
    objects,
    { signal, lists },
    eventGroups,
    (uid, ref) => waiting.concerns(uid, ref),
    options.onEvent,
  );
  void Promise.all([...informers.map((i) => i.listed), ownedListed, events.listed]).then(() => {
    if (!signal.aborted) {
      options.onWatching?.(objects.length);
    }
  });

  await waiting.done;
  // The events that led here are told before the result: an object ready at its first list would
  // otherwise end the watch before the events were listed (a second at most, should events be unreadable).
  // Unreferenced, so that this second never keeps the process alive after the events were listed.
  await Promise.race([events.listed, sleep(1000, undefined, { ref: false })]);
  controller.abort();
  waiting.stop();
  await Promise.all([
    ...informers.map((i) => i.running),
    ...ownedInformers,
    ...relatedWatches.running,
    ...events.watches,
  ]);
  return waiting.report(eventGroups, options.since?.getTime());
}

/** The objects by kind: one informer each (see scopes.ts for where it lists). */
async function collectionsOf(
  cluster: Cluster,
  objects: readonly Manifest[],
): Promise<Map<string, { type: ResourceType; members: Manifest[] }>> {
  const collections = new Map<string, { type: ResourceType; members: Manifest[] }>();
  for (const object of objects) {
    const type = await cluster.catalog.lookup(object.apiVersion, object.kind);
    const key = `${type.apiVersion}/${type.resource}`;
    const collection = collections.get(key) ?? { type, members: [] };
    collection.members.push(object);
    collections.set(key, collection);
  }
  return collections;
}

/**
 * Tells `waiting` each change to `members`, the objects of `type`, until the signal aborts; `listed`
 * resolves once each of their collections was listed.
 */
function watchObjects(
  cluster: Cluster,
  { type, members }: { type: ResourceType; members: readonly Manifest[] },
  waiting: WaitingObjects,
  options: { signal: AbortSignal; onRetry?: (error: unknown) => void; lists: LimitFunction },
): { running: Promise<void>; listed: Promise<void> } {
  const refs = new Set(members.map(objectRef));
  const withKind = (o: LiveObject): LiveObject => ({ ...o, apiVersion: type.apiVersion, kind: type.kind });
  let listed: () => void = () => {};
  const synced = new Promise<void>((resolve) => (listed = resolve));
  const running = informAcross<LiveObject>(
    cluster.api,
    type,
    members.map((m) => m.metadata.namespace ?? ''),
    {
      ...options,
      onSynced: listed,
      onList: (items, scope) => {
        const seen = new Set(items.map((i) => objectRef(withKind(i))));
        for (const item of items.map(withKind).filter((i) => refs.has(objectRef(i)))) {
          waiting.track(item);
        }
        const inScope = members.filter(
          (m) => !scope.namespaces || scope.namespaces.has(m.metadata.namespace ?? ''),
        );
        for (const missing of inScope.filter((m) => !seen.has(objectRef(m)))) {
          waiting.settle(objectRef(missing), NOT_FOUND);
        }
      },
      onChange: (change, object) => {
        const live = withKind(object);
        if (!refs.has(objectRef(live))) {
          return;
        }
        if (change === 'DELETED') {
          waiting.settle(objectRef(live), { state: 'progressing', message: 'deleted' });
        } else {
          waiting.track(live);
        }
      },
    },
  );
  return { running, listed: synced };
}
