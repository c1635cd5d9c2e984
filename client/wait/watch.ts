/**
 * Waiting until objects are ready: one informer per collection (kind and namespace) holding the objects,
 * one per collection of what they own that their checkers look at (ReplicaSets, Pods) and one per related
 * kind, feeding the objects' WaitingObjects, which judges each object by the readiness registry on every
 * change to it or to what it sees; the Kubernetes Events of those objects are streamed alongside. No
 * polling: everything comes from watches.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { objectRef, resourcePath } from '../transport/resources.js';
import type { Cluster, Manifest } from '../transport/resources.js';
import type { ObjectEvent } from './events.js';
import { EventAggregator } from './events.js';
import { inform } from './informer.js';
import { watchEvents } from './object-events.js';
import type { ObjectStatus, WaitResult } from './object-status.js';
import { OwnedIndex, ownedCollectionsOf, watchOwned } from './owned-objects.js';
import type { LiveObject, Readiness, ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import { RelatedObjectStore, watchRelated } from './related-objects.js';
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
  const collections = await collectionsOf(cluster, objects);
  const ownedCollections = await ownedCollectionsOf(cluster, registry, objects);
  if (ownedCollections.size === 0) {
    waiting.startJudging();
  }
  const relatedWatches = await watchRelated(cluster, registry, objects, judges.related, {
    signal,
    onRetry,
    onChange: (namespace) => waiting.namespaceChanged(namespace),
  });
  await Promise.race([relatedWatches.synced, waiting.done]);
  const informers = [...collections].map(([path, members]) =>
    watchObjects(cluster, path, members, waiting, { signal, onRetry }),
  );
  const ownedInformers = watchOwned(cluster, ownedCollections, judges.owned, {
    signal,
    onRetry,
    onChange: (object) => waiting.ownedChanged(object),
    onSynced: () => waiting.startJudging(),
  });
  const eventGroups = new EventAggregator();
  const events = watchEvents(
    cluster.api,
    objects,
    signal,
    eventGroups,
    (uid, ref) => waiting.concerns(uid, ref),
    options.onEvent,
  );

  await waiting.done;
  // The events that led here are told before the result: an object ready at its first list would
  // otherwise end the watch before the events were listed (a second at most, should events be unreadable).
  // Unreferenced, so that this second never keeps the process alive after the events were listed.
  await Promise.race([events.listed, sleep(1000, undefined, { ref: false })]);
  controller.abort();
  waiting.stop();
  await Promise.all([...informers, ...ownedInformers, ...relatedWatches.running, ...events.watches]);
  return waiting.report(eventGroups, options.since?.getTime());
}

/** The objects by collection (URL path): one informer each. */
async function collectionsOf(
  cluster: Cluster,
  objects: readonly Manifest[],
): Promise<Map<string, Manifest[]>> {
  const collections = new Map<string, Manifest[]>();
  for (const object of objects) {
    const type = await cluster.catalog.lookup(object.apiVersion, object.kind);
    const path = resourcePath(type, object.metadata.namespace);
    collections.set(path, [...(collections.get(path) ?? []), object]);
  }
  return collections;
}

/** Tells `waiting` each change to `members`, the objects of the collection at `path`, until the signal aborts. */
function watchObjects(
  cluster: Cluster,
  path: string,
  members: readonly Manifest[],
  waiting: WaitingObjects,
  options: { signal: AbortSignal; onRetry?: (error: unknown) => void },
): Promise<void> {
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
    signal: options.signal,
    onRetry: options.onRetry,
    onList: (items) => {
      const seen = new Set(items.map((i) => i.metadata.name));
      for (const item of items.filter((i) => names.has(i.metadata.name))) {
        waiting.track(withKind(item));
      }
      for (const missing of members.filter((m) => !seen.has(m.metadata.name))) {
        waiting.settle(objectRef(missing), NOT_FOUND);
      }
    },
    onChange: (type, object) => {
      if (!names.has(object.metadata.name)) {
        return;
      }
      const live = withKind(object);
      if (type === 'DELETED') {
        waiting.settle(objectRef(live), { state: 'progressing', message: 'deleted' });
      } else {
        waiting.track(live);
      }
    },
  });
}
