/**
 * CronJob: it runs on schedule, so there is nothing to wait for once the API server stored it; the
 * generation is checked in case a controller reports one. Its Jobs are checked as Jobs when applied.
 */
import { generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function cronJobReadiness(object: LiveObject): Readiness {
  return generationPending(object, false) ?? READY;
}
