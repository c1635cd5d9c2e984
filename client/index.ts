/**
 * The client's library API: a Release (change set, apply, wait, history, rollback) and what its callers
 * need around it (loading manifests and kubeconfigs, the readiness registry, the errors it throws). The
 * CLI uses nothing else.
 */
export type { KubernetesStatus, RetryPolicy } from './api-client.js';
export { ApiError, ConnectionError, TlsError, UnauthorizedError } from './api-client.js';
export type { ApplyOptions, ApplyResult } from './apply.js';
export type { ApplySetScope } from './applyset.js';
export type { Change, ChangeSet, ChangeSetOptions, KeptMember, Operation } from './change-set.js';
export { HOLD_VARIABLE } from './checkpoints.js';
export { LEASE_SECONDS, LockedError, LockLostError } from './lease-lock.js';
export { desiredObjects, hasChanges, OPERATIONS, prunedObjects } from './change-set.js';
export { InterruptedError, ObjectError, StackError } from './errors.js';
export type { KubeConfigOptions } from './kubeconfig.js';
export { loadKubeConfig } from './kubeconfig.js';
export { loadManifests, objectRef } from './manifests.js';
export * from './readiness/index.js';
export type {
  DeployOptions,
  DeployResult,
  MigrateResult,
  ReleaseOptions,
  RollbackOptions,
} from './release.js';
export { ConflictError, Release, RolledBackError, WaitError } from './release.js';
export type { Manifest } from './resources.js';
export type {
  PreparedRevision,
  RecordOptions,
  Revision,
  RevisionContent,
  RevisionHistory,
  RevisionStatus,
} from './revisions.js';
export { REVISION_STATUSES } from './revisions.js';
export type { RolloutOperation } from './rollout-operations.js';
export { ROLLOUT_OPERATIONS, rolloutNamespaceIn } from './rollout-operations.js';
export type { ObjectEvent } from './events.js';
export { describeEvent, humanDuration } from './events.js';
export type { ObjectStatus, Outcome, WaitOptions, WaitResult } from './watch.js';
export { describeUnready, OUTCOMES } from './watch.js';
