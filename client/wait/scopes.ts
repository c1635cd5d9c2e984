/**
 * Where a wait lists and watches a kind: for objects in several namespaces, one collection across every
 * namespace, keeping only what is in theirs, so that the requests grow with kinds and never with
 * namespaces or objects (a fleet of 500 services in 50 namespaces makes as many as one of 100 in 10);
 * for objects in one namespace, that namespace's collection. A deployer who may not list a kind across
 * namespaces gets one collection per namespace instead. What is kept is slimmed to what the checkers read.
 */
import type { LimitFunction } from 'p-limit';
import { ApiError } from '../transport/api-client.js';
import type { ApiClient } from '../transport/api-client.js';
import type { Manifest, ResourceType } from '../transport/resources.js';
import { resourcePath } from '../transport/resources.js';
import type { WatchEventType } from './informer.js';
import { inform } from './informer.js';

/** One collection to list and watch. */
export interface Scope {
  /** Its URL path. */
  readonly path: string;
  /** The namespaces whose objects are kept from it; undefined: every object it holds. */
  readonly namespaces?: ReadonlySet<string>;
}

/**
 * The collections of `type` that hold the objects of `namespaces` ('' stands for every namespace, as a
 * cluster-scoped object's Events may be anywhere): one across namespaces when they are several and
 * `across` allows it, else one per namespace.
 */
export function scopesOf(type: ResourceType, namespaces: Iterable<string>, across = true): Scope[] {
  const wanted = new Set(namespaces);
  if (!type.namespaced || wanted.has('')) {
    return [{ path: resourcePath(type) }];
  }
  if (wanted.size > 1 && across) {
    return [{ path: resourcePath(type), namespaces: wanted }];
  }
  return [...wanted].map((namespace) => ({
    path: resourcePath(type, namespace),
    namespaces: new Set([namespace]),
  }));
}

export const isForbidden = (error: unknown) => error instanceof ApiError && error.code === 403;

const keeps = (scope: Scope, object: Manifest) =>
  !scope.namespaces || scope.namespaces.has(object.metadata.namespace ?? '');

/**
 * The object without what no checker reads and what weighs most: the field sets of its managedFields
 * (their times and subresources stay: a Rollout's checker reads when its spec was last written).
 */
export function slim<T extends Manifest>(object: T): T {
  const managed = object.metadata.managedFields as Record<string, unknown>[] | undefined;
  if (!managed) {
    return object;
  }
  return {
    ...object,
    metadata: { ...object.metadata, managedFields: managed.map(({ fieldsV1: _fields, ...rest }) => rest) },
  };
}

export interface ScopedInformerOptions<T extends Manifest> {
  readonly signal: AbortSignal;
  /** Every kept item of each (re-)list of one of the scopes. */
  readonly onList: (items: readonly T[], scope: Scope) => void;
  /** Each change to a kept object after a list. */
  readonly onChange: (type: WatchEventType, object: T, scope: Scope) => void;
  /**
   * Told once every scope has been listed (or may not be), and again after each list that follows.
   *
   * @default - not told
   */
  readonly onSynced?: () => void;
  /** Told why a list or watch failed, before trying again. @default - not told */
  readonly onRetry?: (error: unknown) => void;
  /** Where each list waits its turn (see InformerOptions.lists). @default - listed at once */
  readonly lists?: LimitFunction;
}

/** Lists and watches `type` for the objects of `namespaces` until the signal aborts; never rejects. */
export async function informAcross<T extends Manifest>(
  api: ApiClient,
  type: ResourceType,
  namespaces: Iterable<string>,
  options: ScopedInformerOptions<T>,
): Promise<void> {
  const wanted = [...namespaces];
  const [widest] = scopesOf(type, wanted);
  if (widest.namespaces && widest.namespaces.size > 1) {
    const inner = new AbortController();
    const abort = () => inner.abort();
    options.signal.addEventListener('abort', abort, { once: true });
    let forbidden = false;
    await informScopes(api, [widest], inner.signal, options, () => {
      forbidden = true;
      inner.abort();
    });
    options.signal.removeEventListener('abort', abort);
    if (!forbidden || options.signal.aborted) {
      return;
    }
  }
  await informScopes(api, scopesOf(type, wanted, false), options.signal, options);
}

/**
 * Informs of each scope. A scope the deployer may not list or watch counts as listed (its objects are
 * judged without it), unless `onForbidden` is given: then it is told instead, to narrow the scope.
 */
function informScopes<T extends Manifest>(
  api: ApiClient,
  scopes: readonly Scope[],
  signal: AbortSignal,
  options: ScopedInformerOptions<T>,
  onForbidden?: () => void,
): Promise<void> {
  const listed = new Set<string>();
  const synced = (scope: Scope) => {
    listed.add(scope.path);
    if (listed.size === scopes.length) {
      options.onSynced?.();
    }
  };
  return Promise.all(
    scopes.map((scope) =>
      inform<T>(api, {
        path: scope.path,
        signal,
        lists: options.lists,
        onRetry: (error) => {
          if (isForbidden(error) && onForbidden) {
            onForbidden();
            return;
          }
          if (isForbidden(error)) {
            synced(scope);
          }
          options.onRetry?.(error);
        },
        onList: (items) => {
          options.onList(items.filter((item) => keeps(scope, item)).map(slim), scope);
          synced(scope);
        },
        onChange: (change, object) => {
          if (keeps(scope, object)) {
            options.onChange(change, slim(object), scope);
          }
        },
      }),
    ),
  ).then(() => undefined);
}

/** One list of `type` for the objects of `namespaces`; rejects as the API server does (403 too). */
export async function listAcross<T extends Manifest>(
  api: ApiClient,
  type: ResourceType,
  namespaces: Iterable<string>,
): Promise<T[]> {
  const wanted = [...namespaces];
  const read = async (scopes: Scope[]) =>
    (
      await Promise.all(
        scopes.map(async (scope) => {
          const list = await api.request<{ items: T[] }>({ path: scope.path });
          return list.items.filter((item) => keeps(scope, item)).map(slim);
        }),
      )
    ).flat();
  try {
    return await read(scopesOf(type, wanted));
  } catch (error) {
    const [widest] = scopesOf(type, wanted);
    if (isForbidden(error) && widest.namespaces && widest.namespaces.size > 1) {
      return read(scopesOf(type, wanted, false));
    }
    throw error;
  }
}
