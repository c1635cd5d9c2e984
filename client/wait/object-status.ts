/** What a wait tells about each object, and about all of them: where it stands and how it ended. */
import type { ObjectEvent } from './events.js';
import { describeEvent } from './events.js';
import type { Readiness } from './readiness/index.js';

export const OUTCOMES = ['ready', 'failed', 'timed-out'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface ObjectStatus {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly readiness: Readiness;
  /** Set once the object is done: ready, failed, or out of time. */
  readonly outcome?: Outcome;
  /**
   * The latest Warning about the object or what it owns, aggregated, for an object still progressing
   * (what a timed-out wait and `status` say besides the readiness; a failure says why itself).
   *
   * @default - none
   */
  readonly lastWarning?: ObjectEvent;
}

export interface WaitResult {
  /** failed if any object failed, else timed-out if any ran out of time, else ready. */
  readonly outcome: Outcome;
  readonly objects: readonly ObjectStatus[];
}

/**
 * Each object that is not ready, with its readiness and last Warning, one line each:
 * `  - Job/shop/migrate: timed out: 0 active, 0 succeeded; last warning: FailedCreate x7 over 12s: ...`.
 */
export function describeUnready(objects: readonly ObjectStatus[]): string {
  return objects
    .filter((o) => o.outcome !== 'ready' && o.readiness.state !== 'ready')
    .map(
      (o) =>
        `  - ${o.ref}: ${o.outcome === 'timed-out' ? 'timed out' : o.readiness.state === 'failed' ? 'failed' : 'not ready'}: ${o.readiness.message}${o.lastWarning ? `; last warning: ${describeEvent(o.lastWarning)}` : ''}`,
    )
    .join('\n');
}
