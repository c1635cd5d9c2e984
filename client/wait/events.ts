/**
 * Kubernetes Events about the objects and what they own, aggregated as `kubectl describe` shows them
 * ("BackOff x5 over 2m"): one group per object (by uid), type and reason, whatever the server made of the
 * repeats (one Event whose count grows, a series, or one Event per pod name a controller generated).
 */
import { objectRef } from '../transport/resources.js';
import type { Manifest } from '../transport/resources.js';

/** An Event as the core/v1 API returns it (events.k8s.io writers show up with `series` and `eventTime`). */
export interface KubeEvent extends Manifest {
  readonly involvedObject: { kind: string; name: string; namespace?: string; uid?: string };
  readonly type?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly count?: number;
  readonly firstTimestamp?: string;
  readonly lastTimestamp?: string;
  readonly eventTime?: string;
  readonly series?: { count?: number; lastObservedTime?: string };
}

export interface ObjectEvent {
  /** The object the event is about (`Kind/namespace/name`): one of the objects, or something it owns. */
  readonly ref: string;
  /** `Normal` or `Warning`. */
  readonly type: string;
  readonly reason: string;
  /** The latest message. */
  readonly message: string;
  /** How many times it happened. */
  readonly count: number;
  /** When it first and last happened (ISO 8601). */
  readonly firstSeen: string;
  readonly lastSeen: string;
}

interface Occurrence {
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly message: string;
}

const timeOf = (value: string | undefined) => (value ? Date.parse(value) : NaN);

/** What one Event says: its object, group, count and times. */
function occurrenceOf(item: KubeEvent): { ref: string; uid?: string; group: string; occurrence: Occurrence } {
  const ref = objectRef({
    kind: item.involvedObject.kind,
    metadata: { name: item.involvedObject.name, namespace: item.involvedObject.namespace },
  });
  const created = timeOf(item.metadata.creationTimestamp as string | undefined);
  const first = [timeOf(item.firstTimestamp), timeOf(item.eventTime), created].find((t) => !Number.isNaN(t));
  const last = [
    timeOf(item.series?.lastObservedTime),
    timeOf(item.lastTimestamp),
    timeOf(item.eventTime),
  ].find((t) => !Number.isNaN(t));
  return {
    ref,
    uid: item.involvedObject.uid,
    // By uid where known: a deleted object's events do not count for the new one of the same name.
    group: `${item.involvedObject.uid ?? ref}\u0000${item.type ?? 'Normal'}\u0000${item.reason ?? ''}`,
    occurrence: {
      count: item.series?.count ?? item.count ?? 1,
      first: first ?? Date.now(),
      last: last ?? first ?? Date.now(),
      message: item.message ?? '',
    },
  };
}

export class EventAggregator {
  /** Each group's Events by uid. */
  private readonly groups = new Map<string, Map<string, Occurrence>>();
  private readonly about = new Map<string, { ref: string; uid?: string; type: string; reason: string }>();

  /** Adds (or updates) an Event and returns its group as it now stands, with when this Event last happened. */
  public add(item: KubeEvent): { event: ObjectEvent; at: number; uid?: string; group: string } {
    const { ref, uid, group, occurrence } = occurrenceOf(item);
    const events = this.groups.get(group) ?? new Map<string, Occurrence>();
    events.set(item.metadata.uid as string, occurrence);
    this.groups.set(group, events);
    this.about.set(group, { ref, uid, type: item.type ?? 'Normal', reason: item.reason ?? '' });
    return { event: this.eventOf(group), at: occurrence.last, uid, group };
  }

  /** The groups of Warnings about the objects whose uid or ref is given, newest last. */
  public warningsAbout(uids: ReadonlySet<string>, refs: ReadonlySet<string>): ObjectEvent[] {
    return [...this.about]
      .filter(([, a]) => a.type === 'Warning' && ((a.uid && uids.has(a.uid)) || refs.has(a.ref)))
      .map(([group]) => this.eventOf(group))
      .sort((a, b) => a.lastSeen.localeCompare(b.lastSeen));
  }

  private eventOf(group: string): ObjectEvent {
    const occurrences = [...this.groups.get(group)!.values()];
    const latest = occurrences.reduce((a, b) => (b.last >= a.last ? b : a));
    const { ref, type, reason } = this.about.get(group)!;
    return {
      ref,
      type,
      reason,
      message: latest.message,
      count: occurrences.reduce((sum, o) => sum + o.count, 0),
      firstSeen: new Date(Math.min(...occurrences.map((o) => o.first))).toISOString(),
      lastSeen: new Date(latest.last).toISOString(),
    };
  }
}

/** `1m30s` for 90 s, as kubectl prints ages: seconds up to 2 minutes, then minutes (and seconds up to 10). */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) {
    return `${seconds}s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  }
  if (minutes < 180) {
    return `${minutes}m`;
  }
  return `${Math.floor(minutes / 60)}h${minutes % 60 === 0 ? '' : `${minutes % 60}m`}`;
}

/** `BackOff x5 over 2m: Back-off restarting failed container` (the count only when it recurred). */
export function describeEvent(event: ObjectEvent): string {
  const recurring =
    event.count > 1
      ? ` x${event.count} over ${humanDuration(Date.parse(event.lastSeen) - Date.parse(event.firstSeen))}`
      : '';
  return `${event.reason}${recurring}: ${event.message}`;
}
