/**
 * The readiness of each object right now, for `status`: one read of each object, one list of each
 * collection its checker looks at beneath or beside it, and one of the Events of each namespace.
 */
import { ApiError } from '../transport/api-client.js';
import { objectRef } from '../transport/resources.js';
import type { Cluster, Manifest } from '../transport/resources.js';
import type { KubeEvent } from './events.js';
import { EventAggregator } from './events.js';
import { eventsPath, lastWarningOf } from './object-events.js';
import type { ObjectStatus } from './object-status.js';
import { OwnedIndex, ownedCollectionsOf } from './owned-objects.js';
import type { LiveObject, ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import { readRelated } from './related-objects.js';

/** The readiness of each object right now; an object that is not ready carries its last Warning. */
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
