/**
 * Apply: executing the change set that was shown, and nothing else. Server-side apply stage by stage, the
 * prune of exactly the objects the change set listed, the lease that keeps two applies of one app apart,
 * recreating workloads whose immutable fields change, and Argo Rollout operations (promote, abort, undo).
 */
export type { ApplyOptions, ApplyResult } from './apply.js';
export { LEASE_SECONDS, LockedError, LockLostError } from './lease-lock.js';
export type { RolloutOperation } from './rollout-operations.js';
export { ROLLOUT_OPERATIONS, rolloutNamespaceIn } from './rollout-operations.js';
