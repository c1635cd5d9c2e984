/**
 * The client's library API: a Release (change set, apply, wait, history, rollback) and what its callers
 * need around it. The release strings together the stages, each a folder with an index saying what it
 * owns: `transport/` (cluster access), `plan/` (the change set), `apply/`, `wait/` (readiness) and
 * `record/` (history). The CLI uses nothing else.
 */
export * from './transport/index.js';
export * from './plan/index.js';
export * from './apply/index.js';
export * from './wait/index.js';
export * from './record/index.js';
export { HOLD_VARIABLE } from './checkpoints.js';
export { InterruptedError, ObjectError, StackError } from './errors.js';
export type {
  DeployOptions,
  DeployResult,
  MigrateResult,
  ReleaseOptions,
  RollbackOptions,
} from './release.js';
export { ConflictError, Release, RolledBackError, WaitError } from './release.js';
