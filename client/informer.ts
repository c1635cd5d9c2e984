/**
 * List-then-watch of one collection, the way client-go's reflector keeps a cache: list for the current
 * state and a resourceVersion, then watch from there. When the connection drops, the server restarts, or
 * it answers `410 Gone` (the resourceVersion is too old), it lists again, so no change is missed.
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client.js';
import type { Manifest } from './resources.js';

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
}

interface WatchLine<T> {
  readonly type: WatchEventType | 'BOOKMARK' | 'ERROR';
  readonly object: T & { code?: number; message?: string };
}

/** Runs until the signal aborts; never rejects. */
export async function inform<T extends Manifest>(api: ApiClient, options: InformerOptions<T>): Promise<void> {
  const { signal } = options;
  let backoffMs = 250;
  while (!signal.aborted) {
    try {
      const list = await api.request<{ metadata: { resourceVersion: string }; items: T[] }>({
        path: options.path,
        query: { fieldSelector: options.fieldSelector },
      });
      options.onList(list.items);
      const res = await api.stream(
        {
          path: options.path,
          query: {
            fieldSelector: options.fieldSelector,
            watch: true,
            resourceVersion: list.metadata.resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: 300,
          },
        },
        signal,
      );
      backoffMs = 250;
      for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
        const event = JSON.parse(line) as WatchLine<T>;
        if (event.type === 'ERROR') {
          // 410 Gone and every other watch error: list again.
          options.onRetry?.(new Error(`watch of ${options.path}: ${event.object.message ?? 'error'}`));
          break;
        }
        if (event.type !== 'BOOKMARK') {
          options.onChange(event.type, event.object);
        }
      }
      if (!signal.aborted) {
        // The server closed the watch: its timeout, or it is shutting down.
        options.onRetry?.(new Error(`the watch of ${options.path} was closed by the server`));
      }
    } catch (error) {
      if (signal.aborted) {
        return;
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
