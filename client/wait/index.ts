/**
 * Wait: watching the applied objects and what they own (ReplicaSets, Pods, AnalysisRuns) until each is
 * ready, failed or out of time, judged by the readiness registry's per-kind checkers; the Events that say
 * why; and what a GitOps engine reports about an environment.
 */
export type { ObjectEvent } from './events.js';
export { describeEvent, humanDuration } from './events.js';
export * from './readiness/index.js';
export type { ObjectStatus, Outcome, WaitResult } from './object-status.js';
export { describeUnready, OUTCOMES } from './object-status.js';
export type { WaitOptions } from './watch.js';
