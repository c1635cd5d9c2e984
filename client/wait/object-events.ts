/**
 * The Kubernetes Events of the objects being waited for: streamed while waiting (each one about an object,
 * or about what it owns, told as it happens), and each object's last Warning, which explains what is still
 * not ready.
 */
import type { LimitFunction } from 'p-limit';
import type { ApiClient } from '../transport/api-client.js';
import type { Manifest, ResourceType } from '../transport/resources.js';
import type { EventAggregator, KubeEvent, ObjectEvent } from './events.js';
import { informAcross } from './scopes.js';
import type { OwnedIndex } from './owned-objects.js';

/** Where Events are listed: core/v1, whose `involvedObject` every writer fills. */
export const EVENT_TYPE: ResourceType = {
  apiVersion: 'v1',
  kind: 'Event',
  resource: 'events',
  namespaced: true,
};

/**
 * Keeps `aggregator` up to date with the Events in the objects' namespaces, and tells those about the
 * objects, or about what they own, that happen from now on. Events carry second-precision times, so
 * "from now" starts at the previous second; a group of recurring events is told again each time its
 * count doubles.
 */
export function watchEvents(
  api: ApiClient,
  objects: readonly Manifest[],
  { signal, lists }: { signal: AbortSignal; lists?: LimitFunction },
  aggregator: EventAggregator,
  relevant: (uid: string | undefined, ref: string) => boolean,
  onEvent?: (event: ObjectEvent) => void,
): { watches: Promise<void>[]; listed: Promise<unknown> } {
  const since = Math.floor(Date.now() / 1000) * 1000 - 1000;
  const namespaces = objects.map((o) => o.metadata.namespace ?? '');
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
  let listed: () => void = () => {};
  const listing = new Promise<void>((resolve) => (listed = resolve));
  const watch = informAcross<KubeEvent>(api, EVENT_TYPE, namespaces, {
    signal,
    lists,
    onSynced: listed,
    onList: (items) => items.forEach(report),
    onChange: (type, item) => {
      if (type !== 'DELETED') {
        report(item);
      }
    },
  });
  return { watches: [watch], listed: listing };
}

/**
 * The latest Warning about the object with `uid` (and `ref`) or anything beneath it, last seen no earlier
 * than the second of `since` (Events carry second-precision times) when given.
 */
export function lastWarningOf(
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
