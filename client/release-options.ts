/** The options and results of a Release's methods. */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ApplyOptions, ApplyResult } from './apply/apply.js';
import type { ChangeSet } from './plan/change-set.js';
import type { Revision } from './record/revision-secret.js';
import type { StepObserver } from './steps.js';
import type { RetryPolicy } from './transport/api-client.js';
import type { ReadinessRegistry } from './wait/readiness/index.js';
import type { WaitResult } from './wait/object-status.js';
import type { WaitOptions } from './wait/watch.js';

export interface ReleaseOptions {
  readonly kubeConfig: KubeConfig;
  /**
   * The name of the ApplySet parent Secret, which identifies the stack in the cluster.
   *
   * @default 'cdk8s-devops'
   */
  readonly name?: string;
  /**
   * The namespace of the parent and revisions, and of namespaced objects whose manifest names none.
   *
   * @default - the context's namespace, else 'default'
   */
  readonly namespace?: string;
  /** @default 'cdk8s-devops' */
  readonly fieldManager?: string;
  /** @default - see ApiClientOptions */
  readonly retry?: RetryPolicy;
  /**
   * Receives each distinct warning the API server sends (deprecated APIs, Pod Security in warn mode,
   * deprecated annotations); all of them are also in `Release.warnings`.
   *
   * @default - only collected
   */
  readonly onWarning?: (text: string) => void;
  /**
   * The readiness checkers of `watch`, `status` and waiting applies; add your own kinds to a registry
   * made with `ReadinessRegistry.withBuiltIns()`.
   *
   * @default DEFAULT_READINESS
   */
  readonly readiness?: ReadinessRegistry;
  /**
   * Told each step the release passes (see Step): the lock taken, each object diffed, applied or pruned,
   * the revision about to be recorded. The command waits for a promise it returns, so it can also hold
   * the command at a step.
   *
   * @default - nothing is told
   */
  readonly onStep?: StepObserver;
}

export interface DeployOptions extends ApplyOptions {
  /**
   * Wait for the applied objects to be ready; a failure or timeout fails the apply.
   *
   * @default - do not wait
   */
  readonly wait?: WaitOptions;
  /**
   * When the apply or the wait fails, apply the last recorded revision again (CloudFormation's default).
   *
   * @default false
   */
  readonly rollbackOnFailure?: boolean;
  /**
   * Why, recorded with the revision.
   *
   * @default ''
   */
  readonly message?: string;
  /**
   * How many revisions to keep.
   *
   * @default 10
   */
  readonly keepRevisions?: number;
}

export interface RollbackOptions {
  /** @default - the newest healthy revision before the latest */
  readonly toRevision?: number;
  /** @default - do not wait */
  readonly wait?: WaitOptions;
  /** @default 'rollback to revision <n>' */
  readonly message?: string;
  /**
   * Recreate workloads whose return to the revision changes an immutable field (a selector that a later
   * revision changed), as `apply` does with the same consent.
   *
   * @default false
   */
  readonly recreateOnImmutable?: boolean;
  /**
   * Sees the change set before anything changes (its `recreate` changes included); false rolls back
   * nothing and `rollback` resolves to undefined.
   *
   * @default - no confirmation
   */
  readonly confirm?: (changeSet: ChangeSet) => Promise<boolean>;
}

export interface DeployResult extends ApplyResult {
  /** The revision recorded; undefined on a dry run. */
  readonly revision?: Revision;
  /** @default - not waited for */
  readonly wait?: WaitResult;
}

export interface MigrateResult {
  /** How many objects were relabelled as members of the new ApplySet. */
  readonly members: number;
  /** How many revisions were moved. */
  readonly revisions: number;
}
