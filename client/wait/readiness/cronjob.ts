/**
 * CronJob: it runs on schedule, so there is nothing to wait for once the API server stored it; the
 * generation is checked in case a controller reports one. Its Jobs are checked as Jobs when applied.
 */
import type { ReadinessChecker } from './types.js';

export const CRON_JOB_READINESS: ReadinessChecker = { observedGeneration: 'when-reported', conditions: [] };
