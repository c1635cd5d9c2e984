import { describeEvent, EventAggregator, humanDuration } from '../../client/wait/events.js';
import type { KubeEvent } from '../../client/wait/events.js';
import { OwnedIndex } from '../../client/wait/owned-objects.js';
import type { LiveObject } from '../../client/wait/readiness/index.js';

const event = (uid: string, fields: Partial<KubeEvent>): KubeEvent => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: uid, namespace: 'shop', uid },
  involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'shop', uid: 'pod-uid' },
  type: 'Warning',
  reason: 'BackOff',
  message: 'Back-off restarting failed container app',
  ...fields,
});

describe('recurring events, aggregated', () => {
  test('one group per object, type and reason, however the server counted the repeats', () => {
    const events = new EventAggregator();
    // A legacy recorder's Event whose count grows...
    events.add(
      event('a', { count: 3, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:01:00Z' }),
    );
    // ...an events.k8s.io series...
    events.add(
      event('b', {
        eventTime: '2026-01-01T00:01:10Z',
        series: { count: 1, lastObservedTime: '2026-01-01T00:01:30Z' },
      }),
    );
    // ...and another Event with another message (a controller's generated pod name).
    const { event: group } = events.add(
      event('c', {
        count: 1,
        message: 'Back-off restarting failed container app in pod web-1',
        firstTimestamp: '2026-01-01T00:02:00Z',
        lastTimestamp: '2026-01-01T00:02:00Z',
      }),
    );
    expect(group).toEqual({
      ref: 'Pod/shop/web-1',
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container app in pod web-1',
      count: 5,
      firstSeen: '2026-01-01T00:00:00.000Z',
      lastSeen: '2026-01-01T00:02:00.000Z',
    });
    expect(describeEvent(group)).toBe(
      'BackOff x5 over 2m: Back-off restarting failed container app in pod web-1',
    );
    events.add(
      event('d', { type: 'Normal', reason: 'Pulled', count: 1, lastTimestamp: '2026-01-01T00:03:00Z' }),
    );
    expect(events.warningsAbout(new Set(['pod-uid']), new Set()).map((e) => e.reason)).toEqual(['BackOff']);
    expect(events.warningsAbout(new Set(), new Set(['Pod/shop/web-1']))).toHaveLength(1);
    expect(events.warningsAbout(new Set(['other']), new Set())).toEqual([]);
  });

  test('a single occurrence has no count, and durations read as kubectl prints them', () => {
    const single = new EventAggregator().add(
      event('a', { count: 1, lastTimestamp: '2026-01-01T00:00:00Z' }),
    ).event;
    expect(describeEvent(single)).toBe('BackOff: Back-off restarting failed container app');
    expect([0, 59_000, 119_000, 150_000, 600_000, 7_200_000, 11_000_000].map(humanDuration)).toEqual([
      '0s',
      '59s',
      '119s',
      '2m30s',
      '10m',
      '120m',
      '3h3m',
    ]);
  });
});

describe('the index of owned objects', () => {
  const pod = (uid: string, owner: string): LiveObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: uid, uid, ownerReferences: [{ uid: owner }] },
  });

  test('a list replaces its collection: what went while the watch was broken is gone, and returned', () => {
    const index = new OwnedIndex();
    index.replace('/pods', [pod('p1', 'rs'), pod('p2', 'rs')]);
    index.put(
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'rs', uid: 'rs', ownerReferences: [{ uid: 'd' }] },
      },
      '/replicasets',
    );
    expect(
      index
        .ownedBy('d')
        .of('Pod')
        .map((p) => p.metadata.uid),
    ).toEqual(['p1', 'p2']);
    const gone = index.replace('/pods', [pod('p2', 'rs'), pod('p3', 'rs')]);
    expect(gone.map((p) => p.metadata.uid)).toEqual(['p1']);
    expect(
      index
        .ownedBy('d')
        .of('Pod')
        .map((p) => p.metadata.uid),
    ).toEqual(['p2', 'p3']);
    expect(index.ancestorsOfUid('p3')).toEqual(['rs', 'd']);
    // Another collection's objects stay.
    expect(index.ownedBy('d').of('ReplicaSet')).toHaveLength(1);
  });
});
