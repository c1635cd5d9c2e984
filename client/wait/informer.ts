/**
 * List-then-watch of one collection, the way client-go's reflector keeps a cache: list for the current
 * state and a resourceVersion, then watch from there. When the connection drops, the watch resumes from
 * the last resourceVersion seen; when the server answers `410 Gone` (too old, as after a restart of the
 * API server) or any other watch error, it lists again, so no change is missed.
 */
import { createInterface } from 'node:readline';
import type { LimitFunction } from 'p-limit';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../transport/api-client.js';
import { ApiError } from '../transport/api-client.js';
import type { Manifest } from '../transport/resources.js';

export const WATCH_EVENT_TYPES = ['ADDED', 'MODIFIED', 'DELETED'] as const;
export type WatchEventType = (typeof WATCH_EVENT_TYPES)[number];

export interface InformerOptions<T extends Manifest> {
  /** The collection's URL path. */
  readonly path: string;
  /** @default - no selector */
  readonly fieldSelector?: string;
  /** Stops the informer. */
  readonly signal: AbortSignal;
  /** Every item of each (re-)list. */
  readonly onList: (items: readonly T[]) => void;
  /** Each change after a list. */
  readonly onChange: (type: WatchEventType, object: T) => void;
  /**
   * Told why a list or watch failed, before the informer tries again.
   *
   * @default - failures are not reported
   */
  readonly onRetry?: (error: unknown) => void;
  /**
   * How long each watch request asks the server to keep it open (`timeoutSeconds`); when the server
   * closes it then, as asked, the informer resumes without telling `onRetry`.
   *
   * @default 300
   */
  readonly watchTimeoutSeconds?: number;
  /**
   * Where each list waits its turn: lists shared by informers of thousands of objects, read one or two at
   * a time, never hold every collection's answer in memory at once.
   *
   * @default - listed at once
   */
  readonly lists?: LimitFunction;
}

interface WatchLine<T> {
  readonly type: WatchEventType | 'BOOKMARK' | 'ERROR';
  readonly object: T & { code?: number; message?: string; metadata: { resourceVersion?: string } };
}

/** Runs until the signal aborts; never rejects. */
export async function inform<T extends Manifest>(api: ApiClient, options: InformerOptions<T>): Promise<void> {
  const { signal } = options;
  let backoffMs = 250;
  // Where the next watch starts: the resourceVersion of the last list, change or bookmark seen. A dropped
  // watch resumes from there, as client-go's reflector does; undefined means list first.
  let resourceVersion: string | undefined;
  const timeoutSeconds = options.watchTimeoutSeconds ?? 300;
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const listOnce = async () => {
          const list = await api.request<{ metadata: { resourceVersion: string }; items: T[] }>({
            path: options.path,
            query: { fieldSelector: options.fieldSelector },
          });
          options.onList(list.items);
          return list.metadata.resourceVersion;
        };
        resourceVersion = await (options.lists ? options.lists(listOnce) : listOnce());
      }
      const started = Date.now();
      const res = await api.stream(
        {
          path: options.path,
          query: {
            fieldSelector: options.fieldSelector,
            watch: true,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds,
          },
        },
        signal,
      );
      backoffMs = 250;
      for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
        const event = JSON.parse(line) as WatchLine<T>;
        if (event.type === 'ERROR') {
          // 410 Gone (the resourceVersion is too old to resume from) and every other watch error: list again.
          resourceVersion = undefined;
          options.onRetry?.(new Error(`watch of ${options.path}: ${event.object.message ?? 'error'}`));
          break;
        }
        resourceVersion = event.object.metadata.resourceVersion ?? resourceVersion;
        if (event.type !== 'BOOKMARK') {
          options.onChange(event.type, event.object);
        }
      }
      // The server closed the watch: resume where it stopped, silently when it is the timeout the
      // request asked for (the server counts from a little after `started`), else telling why.
      const asked = Date.now() - started >= timeoutSeconds * 1000;
      if (!signal.aborted && resourceVersion !== undefined && !asked) {
        options.onRetry?.(new Error(`the watch of ${options.path} was closed by the server`));
      }
    } catch (error) {
      if (signal.aborted) {
        return;
      }
      if (error instanceof ApiError && error.code === 410) {
        resourceVersion = undefined;
      }
      options.onRetry?.(error);
      try {
        await sleep(backoffMs, undefined, { signal });
      } catch {
        return;
      }
      backoffMs = Math.min(backoffMs * 2, 5000);
    }
  }
}
