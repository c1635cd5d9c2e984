/**
 * The readiness of each object right now, for `status`: one list of each kind of the objects, of each kind
 * their checkers look at beneath or beside them, and of their Events, across their namespaces (see
 * scopes.ts), so that the requests grow with kinds, never with objects.
 */
import { ApiError } from '../transport/api-client.js';
import { objectRef } from '../transport/resources.js';
import type { Cluster, Manifest, ResourceType } from '../transport/resources.js';
import type { KubeEvent } from './events.js';
import { EventAggregator } from './events.js';
import { EVENT_TYPE, lastWarningOf } from './object-events.js';
import type { ObjectStatus } from './object-status.js';
import { OwnedIndex, ownedCollectionsOf } from './owned-objects.js';
import type { LiveObject, ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import { readRelated } from './related-objects.js';
import { isForbidden, listAcross } from './scopes.js';

/** The readiness of each object right now; an object that is not ready carries its last Warning. */
export async function currentStatus(
  cluster: Cluster,
  objects: readonly Manifest[],
  registry: ReadinessRegistry = DEFAULT_READINESS,
): Promise<ObjectStatus[]> {
  const owned = new OwnedIndex();
  const events = new EventAggregator();
  const namespaces = objects.map((o) => o.metadata.namespace ?? '');
  const [live] = await Promise.all([
    readObjects(cluster, objects),
    ...[...(await ownedCollectionsOf(cluster, registry, objects)).values()].map(
      async ({ type, namespaces }) => {
        const items = await listAcross<LiveObject>(cluster.api, type, namespaces);
        items.forEach((item) => owned.put({ ...item, apiVersion: type.apiVersion, kind: type.kind }));
      },
    ),
    // Events explain; a deployer who may not read them still gets each object's readiness.
    listAcross<KubeEvent>(cluster.api, EVENT_TYPE, namespaces)
      .catch(() => [])
      .then((items) => items.forEach((item) => events.add(item))),
  ]);
  const related = await readRelated(cluster, registry, objects);
  return objects.map((object): ObjectStatus => {
    const ref = objectRef(object);
    const found = live.get(ref);
    if (!found) {
      return { ref, readiness: { state: 'progressing', message: 'not found' } };
    }
    const withKind = { ...found, apiVersion: object.apiVersion, kind: object.kind };
    const { related: kinds = [] } = registry.checkerFor(object.apiVersion, object.kind);
    const uid = found.metadata.uid as string;
    const readiness = registry.readinessOf(
      withKind,
      related.view(owned.ownedBy(uid), object.metadata.namespace ?? 'default', kinds),
    );
    const lastWarning = readiness.state === 'ready' ? undefined : lastWarningOf(events, owned, uid, ref);
    return { ref, readiness, ...(lastWarning ? { lastWarning } : {}) };
  });
}

/**
 * The objects as they are, by ref: one list of each kind (see scopes.ts), or a read of each object of a
 * kind the deployer may not list.
 */
async function readObjects(cluster: Cluster, objects: readonly Manifest[]): Promise<Map<string, LiveObject>> {
  const byKind = new Map<string, { type: ResourceType; members: Manifest[] }>();
  for (const object of objects) {
    const type = await cluster.catalog.lookup(object.apiVersion, object.kind);
    const key = `${type.apiVersion}/${type.resource}`;
    byKind.set(key, { type, members: [...(byKind.get(key)?.members ?? []), object] });
  }
  const found = new Map<string, LiveObject>();
  await Promise.all(
    [...byKind.values()].map(async ({ type, members }) => {
      const refs = new Set(members.map(objectRef));
      const namespaces = members.map((m) => m.metadata.namespace ?? '');
      const items = await listAcross<LiveObject>(cluster.api, type, namespaces).catch((error: unknown) => {
        if (isForbidden(error)) {
          return Promise.all(members.map((m) => readIfFound(cluster, m)));
        }
        throw error;
      });
      for (const item of items) {
        const ref = item && objectRef({ kind: type.kind, metadata: item.metadata });
        if (ref && refs.has(ref)) {
          found.set(ref, item);
        }
      }
    }),
  );
  return found;
}

async function readIfFound(cluster: Cluster, object: Manifest): Promise<LiveObject | undefined> {
  try {
    return await cluster.api.request<LiveObject>({ path: await cluster.catalog.pathOf(object) });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) {
      return undefined;
    }
    throw error;
  }
}
