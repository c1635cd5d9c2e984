/**
 * Waiting until objects are ready: one informer per collection (kind and namespace) holding the objects,
 * each object judged by the readiness checker of its kind on every change, and the Kubernetes Events of
 * those objects streamed alongside. No polling: everything comes from watches.
 */
import { setMaxListeners } from 'node:events';
import type { ApiClient } from './api-client.js';
import { ApiError } from './api-client.js';
import { inform } from './informer.js';
import { objectRef } from './manifests.js';
import type { LiveObject, Readiness } from './readiness/index.js';
import { readinessOf } from './readiness/index.js';
import { failedPipelineRunDetail } from './readiness/tekton.js';
import type { Manifest, ResourceCatalog } from './resources.js';
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
}

export interface WaitResult {
  /** failed if any object failed, else timed-out if any ran out of time, else ready. */
  readonly outcome: Outcome;
  readonly objects: readonly ObjectStatus[];
}

/** What waiting needs of a target: the client and the kinds it serves. */
export interface WatchTarget {
  readonly api: ApiClient;
  readonly catalog: ResourceCatalog;
}

const NOT_FOUND: Readiness = { state: 'progressing', message: 'not found yet' };
const NOT_LISTED: Readiness = { state: 'progressing', message: 'waiting for the first list' };

/** Waits until every object (with its namespace settled) is ready, has failed, or is out of time. */
export async function waitForReady(
  target: WatchTarget,
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
  const judge = (object: LiveObject) => {
    startClock(objectRef(object));
    const readiness = readinessOf(object);
    if (readiness.state === 'failed' && object.kind === 'PipelineRun') {
      // The run's own condition does not say which step failed; its TaskRuns do.
      void failedPipelineRunDetail(target.api, object)
        .catch(() => undefined)
        .then((detail) =>
          settle(
            objectRef(object),
            detail ? { ...readiness, message: `${readiness.message}; ${detail}` } : readiness,
            'failed',
          ),
        );
      return;
    }
    const outcome =
      readiness.state === 'ready' ? 'ready' : readiness.state === 'failed' ? 'failed' : undefined;
    settle(objectRef(object), readiness, outcome);
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
    const type = await target.catalog.lookup(object.apiVersion, object.kind);
    const path = resourcePath(type, object.metadata.namespace);
    collections.set(path, [...(collections.get(path) ?? []), object]);
  }
  const informers = [...collections].map(([path, members]) => {
    const names = new Set(members.map((m) => m.metadata.name));
    const withKind = (o: LiveObject): LiveObject => ({
      ...o,
      apiVersion: members[0].apiVersion,
      kind: members[0].kind,
    });
    return inform<LiveObject>(target.api, {
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
  const eventWatches = options.onEvent
    ? watchEvents(target.api, objects, controller.signal, options.onEvent)
    : [];

  await finished;
  controller.abort();
  timers.forEach(clearTimeout);
  await Promise.all([...informers, ...eventWatches]);
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
): Promise<void>[] {
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
  return namespaces.map((namespace) =>
    inform<KubeEvent>(api, {
      path: namespace ? `/api/v1/namespaces/${encodeURIComponent(namespace)}/events` : '/api/v1/events',
      signal,
      onList: (items) => items.forEach(report),
      onChange: (type, item) => {
        if (type !== 'DELETED') {
          report(item);
        }
      },
    }),
  );
}

/** The readiness of each object right now, from one read each (for `status`). */
export async function currentStatus(
  target: WatchTarget,
  objects: readonly Manifest[],
): Promise<ObjectStatus[]> {
  return Promise.all(
    objects.map(async (object) => {
      const ref = objectRef(object);
      try {
        const live = await target.api.request<LiveObject>({ path: await target.catalog.pathOf(object) });
        return { ref, readiness: readinessOf({ ...live, apiVersion: object.apiVersion, kind: object.kind }) };
      } catch (error) {
        if (error instanceof ApiError && error.code === 404) {
          return { ref, readiness: { state: 'progressing', message: 'not found' } };
        }
        throw error;
      }
    }),
  );
}
