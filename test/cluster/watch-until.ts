/**
 * The harness's waits for the cluster to reach a state (CRDs Established, nodes Ready): a watch of the
 * collection, so that a change is seen as it happens, with a deadline long enough for a loaded 2-core
 * machine, where the controllers that set those conditions get little CPU. When it passes, the error
 * says what each object still reported, instead of only how long was waited.
 */
import type { ApiClient } from '../../client/transport/api-client.js';
import { inform } from '../../client/wait/informer.js';
import type { Manifest } from '../../client/transport/resources.js';

/** Generous on purpose: the wait ends as soon as the state is reached, so only a real failure waits it out. */
export const HARNESS_WAIT_MS = 180_000;

export interface WatchUntilOptions<T extends Manifest> {
  /** The collection's URL path. */
  readonly path: string;
  /** The objects waited for, by name. */
  readonly names: readonly string[];
  /** Whether one object has reached the state. */
  readonly reached: (object: T) => boolean;
  /** The state waited for, as the error names it: "Established". */
  readonly state: string;
  /** Why one object has not reached it yet, from what it reports. */
  readonly why: (object: T) => string;
  /** @default HARNESS_WAIT_MS */
  readonly timeoutMs?: number;
}

/** Resolves once every named object has reached the state; rejects at the deadline naming each one left and why. */
export async function watchUntil<T extends Manifest>(
  api: ApiClient,
  options: WatchUntilOptions<T>,
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? HARNESS_WAIT_MS;
  const latest = new Map<string, T>();
  const waiting = () =>
    options.names.filter((name) => !latest.has(name) || !options.reached(latest.get(name)!));
  const stop = new AbortController();
  let lastFailure: unknown;
  let reached: () => void = () => {};
  const done = new Promise<void>((resolve) => (reached = resolve));
  const check = () => {
    if (waiting().length === 0) {
      reached();
    }
  };
  const informer = inform<T>(api, {
    path: options.path,
    signal: stop.signal,
    onList: (items) => {
      latest.clear();
      items.forEach((object) => latest.set(object.metadata.name, object));
      check();
    },
    onChange: (type, object) => {
      if (type === 'DELETED') {
        latest.delete(object.metadata.name);
      } else {
        latest.set(object.metadata.name, object);
        check();
      }
    },
    onRetry: (error) => (lastFailure = error),
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timed-out'>(
    (resolve) => (timer = setTimeout(() => resolve('timed-out'), timeoutMs)),
  );
  try {
    if ((await Promise.race([done, deadline])) !== 'timed-out') {
      return;
    }
    const left = waiting();
    const reasons = left.map((name) => {
      const object = latest.get(name);
      return `  - ${name}: ${object ? options.why(object) : 'not found'}`;
    });
    const failure = lastFailure ? `\nthe last failure of the watch: ${(lastFailure as Error).message}` : '';
    throw new Error(
      `${left.length} of ${options.names.length} objects were not ${options.state} within ${timeoutMs / 1000}s (a heavily loaded machine slows the controllers that set it; see their logs):\n${reasons.join('\n')}${failure}`,
    );
  } finally {
    clearTimeout(timer);
    stop.abort();
    await informer;
  }
}

/** The conditions an object reports, as `Type=Status (Reason: message)`, for the errors above. */
export function describeConditions(
  conditions: readonly { type: string; status: string; reason?: string; message?: string }[] | undefined,
): string {
  if (!conditions?.length) {
    return 'no conditions reported yet';
  }
  return conditions
    .map(
      (c) =>
        `${c.type}=${c.status}${c.reason || c.message ? ` (${[c.reason, c.message].filter(Boolean).join(': ')})` : ''}`,
    )
    .join(', ');
}
