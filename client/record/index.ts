/**
 * Record: the history of a release in the cluster, beside its ApplySet parent. One revision per apply
 * that changed the cluster, with the manifests applied, its status and each workload's outcome, which
 * `history` shows and `rollback` restores.
 */
export type {
  PreparedRevision,
  RecordOptions,
  Revision,
  RevisionContent,
  RevisionHistory,
  RevisionStatus,
} from './revisions.js';
export { REVISION_STATUSES } from './revisions.js';
export type { WorkloadOutcome, WorkloadOutcomeKind } from './workload-outcomes.js';
export { describeOutcomes, WORKLOAD_OUTCOMES } from './workload-outcomes.js';
