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
export type { Step, StepObserver } from './steps.js';
export { STEPS } from './steps.js';
export { InterruptedError, ObjectError, StackError } from './errors.js';
export type * from './release-options.js';
export { ConflictError, RolledBackError, WaitError } from './release-errors.js';
export { Release } from './release.js';
