/**
 * A release: one app in one cluster, applied as one unit CloudFormation-style (change set, apply, wait),
 * with its ApplySet and revision history, as Helm calls an installed chart a release. This is the
 * library API; the CLI only strings its methods together.
 */
import type { ApplyResult, ApplySteps } from './apply/apply.js';
import { applyChangeSet } from './apply/apply.js';
import { LeaseLock } from './apply/lease-lock.js';
import { removeLeftovers } from './apply/recreate.js';
import type { RolloutOperation } from './apply/rollout-operations.js';
import { operateRollout } from './apply/rollout-operations.js';
import { deleteApp } from './delete-app.js';
import { firstLine, InterruptedError } from './errors.js';
import { migrate, migrationSource } from './migrate.js';
import type { ApplyContext } from './plan/apply-context.js';
import { resolveManifests } from './plan/apply-context.js';
import type { ChangeSet, ChangeSetOptions } from './plan/change-set.js';
import { computeChangeSet, desiredObjects } from './plan/change-set.js';
import type { Revision, RevisionStatus } from './record/revision-secret.js';
import type { PreparedRevision } from './record/revisions.js';
import { RevisionHistory } from './record/revisions.js';
import { failIfPending, markDeployed, markFailedWait } from './record/settle.js';
import { rollbackMessage, rollbackTarget } from './record/rollback-target.js';
import { ConflictError, RolledBackError, WaitError } from './release-errors.js';
import { releaseContext } from './release-context.js';
import { commandIdentity, lockName, lockRelease } from './release-lock.js';
import type {
  DeployOptions,
  DeployResult,
  MigrateResult,
  ReleaseOptions,
  RollbackOptions,
} from './release-options.js';
import type { StepObserver } from './steps.js';
import type { Manifest } from './transport/resources.js';
import { waitUntilServed } from './wait/crds.js';
import type { ReadinessRegistry } from './wait/readiness/index.js';
import { DEFAULT_READINESS } from './wait/readiness/index.js';
import { describeReturned, returnBlueGreensToStable } from './apply/blue-green-return.js';
import { currentStatus } from './wait/current-status.js';
import type { ObjectStatus, WaitResult } from './wait/object-status.js';
import type { WaitOptions } from './wait/watch.js';
import { waitForReady } from './wait/watch.js';

export class Release {
  public static connect(options: ReleaseOptions): Release {
    const { context, user } = releaseContext(options);
    return new Release(context, user, options.readiness ?? DEFAULT_READINESS, options.onStep);
  }

  public readonly history: RevisionHistory;
  private lock?: LeaseLock;
  /** Aborted by `interrupt`: the apply sends no further request. */
  private readonly stopping = new AbortController();
  /** The apply (and its recording) in progress, whose requests in flight an interrupt waits for. */
  private applying?: Promise<unknown>;
  /** The number of the revision this command recorded last. */
  private recorded?: number;

  private constructor(
    private readonly context: ApplyContext,
    private readonly user: string,
    private readonly readiness: ReadinessRegistry,
    private readonly onStep?: StepObserver,
  ) {
    this.history = new RevisionHistory(context.api, context.applySet);
  }

  /** The ApplySet that holds the release: its parent Secret's name and namespace, and its id. */
  public get applySet(): { readonly name: string; readonly namespace: string; readonly id: string } {
    const { name, namespace, id } = this.context.applySet;
    return { name, namespace, id };
  }

  /** The distinct warnings the API server sent to this release's requests so far, in order. */
  public get warnings(): readonly string[] {
    return this.context.api.warnings;
  }

  /** The namespace of namespaced objects whose manifest names none. */
  public get defaultNamespace(): string {
    return this.context.defaultNamespace;
  }

  /**
   * Runs `work` holding the release's lock, as every command that changes the release does: taken before
   * the change set is computed and held through confirmation, apply, prune and revision. Throws
   * LockedError, naming the holder, when another command holds it. Re-entrant within one Release.
   */
  public async locked<T>(command: string, work: () => Promise<T>): Promise<T> {
    if (this.lock) {
      return work();
    }
    this.lock = await lockRelease(this.context.api, this.context.applySet, command);
    try {
      await this.onStep?.('locked');
      return await work();
    } finally {
      // Kept until released: an interrupt meanwhile waits for the same release before the process exits.
      await this.lock.release();
      this.lock = undefined;
    }
  }

  /** Deletes the release's lock whoever holds it; true when there was one. */
  public breakLock(): Promise<boolean> {
    const { api, applySet } = this.context;
    return LeaseLock.breakLock(api, applySet.namespace, lockName(applySet.name));
  }

  /** The change set of applying `manifests`: what `apply` of it will do. */
  public changeSet(manifests: readonly Manifest[], options?: ChangeSetOptions): Promise<ChangeSet> {
    return computeChangeSet(this.context, manifests, { onStep: this.onStep, ...options });
  }

  /** The change set and its apply under one lock: for callers that do not show the change set first. */
  public deploy(
    manifests: readonly Manifest[],
    options: DeployOptions & Pick<ChangeSetOptions, 'adopt'> = {},
  ): Promise<DeployResult> {
    return this.locked('apply', async () =>
      this.apply(
        await this.changeSet(manifests, { adopt: options.adopt, forceConflicts: options.forceConflicts }),
        options,
      ),
    );
  }

  /**
   * Applies the change set as it was computed, records a revision (also when the apply or the wait
   * fails after something changed, with the status `failed`), optionally waits, and rolls back on
   * failure when asked to.
   */
  public async apply(changeSet: ChangeSet, options: DeployOptions = {}): Promise<DeployResult> {
    // Refused before the lock: a change set that is never applied costs no lock round-trip.
    if (changeSet.gitops) {
      throw new Error(
        'a change set computed as the GitOps engine applies (gitops: true) only shows drift and is never applied; compute one without gitops to apply',
      );
    }
    return this.locked('apply', async () => {
      try {
        return await this.applyAndRecord(changeSet, options);
      } catch (error) {
        if (
          !options.rollbackOnFailure ||
          options.dryRun ||
          error instanceof ConflictError ||
          error instanceof InterruptedError
        ) {
          throw error;
        }
        // Consent to recreate workloads on the way forward covers recreating them on the way back.
        return this.rollBackAfter(
          error as Error,
          changeSet.changes.some((c) => c.recreate),
        );
      }
    });
  }

  private async applyAndRecord(changeSet: ChangeSet, options: DeployOptions): Promise<DeployResult> {
    if (changeSet.summary.conflict > 0) {
      throw new ConflictError(changeSet);
    }
    // Number, size and names are checked before anything changes: recording must not fail after the cluster did.
    const prepared = options.dryRun ? undefined : await this.history.prepare(desiredObjects(changeSet));
    // The waits below tell only the Warnings of this apply, not an older release's.
    const wait = options.wait && { since: new Date(), ...options.wait };
    if (this.stopping.signal.aborted) {
      throw new InterruptedError('starting to apply');
    }
    const applying = this.applyThenRecord(changeSet, options, prepared);
    this.applying = applying;
    const { result, revision } = await applying;
    if (!revision) {
      return result;
    }
    const leftovers = result.leftovers ?? [];
    if (leftovers.length > 0) {
      // The old pods of recreated workloads serve until the new ones are ready, then go (unless adopted).
      const replaced = await this.waitFor(result.recreated ?? [], wait);
      if (replaced.outcome !== 'ready') {
        await this.history.setStatus(revision.number, 'failed');
        throw new WaitError(replaced);
      }
      await removeLeftovers(this.context, leftovers);
      if (!options.wait) {
        await markDeployed(this.history, revision.number);
        return { ...result, revision: { ...revision, status: 'deployed' } };
      }
    }
    if (!options.wait) {
      return { ...result, revision };
    }
    const waited = await this.waitFor(result.applied, wait);
    if (waited.outcome !== 'ready') {
      await markFailedWait(this.history, revision.number, changeSet, waited, (text) =>
        this.context.api.warn(text),
      );
      throw new WaitError(waited);
    }
    await markDeployed(this.history, revision.number);
    return { ...result, revision: { ...revision, status: 'deployed' }, wait: waited };
  }

  /**
   * Applies the change set and records it (`pending` when a wait follows); when the apply fails, or is
   * interrupted, after something changed, what was applied is recorded as `failed`.
   */
  private async applyThenRecord(
    changeSet: ChangeSet,
    options: DeployOptions,
    prepared: PreparedRevision | undefined,
  ): Promise<{ result: ApplyResult; revision?: Revision }> {
    let changed = false;
    let result: ApplyResult;
    try {
      result = await applyChangeSet(
        this.context,
        changeSet,
        this.applySteps({
          ...options,
          onObject: (event) => {
            changed = true;
            options.onObject?.(event);
          },
        }),
      );
    } catch (error) {
      if (changed && prepared) {
        // History records what was applied; a failure to record must not hide why the apply failed.
        await this.record(prepared, options, 'failed', `apply failed: ${firstLine(error)}`).catch(() => {});
      }
      throw error;
    }
    if (!prepared) {
      return { result };
    }
    await this.lock!.assertHeld('recording the revision');
    await this.onStep?.('recording');
    const waits = options.wait || (result.leftovers ?? []).length > 0;
    return { result, revision: await this.record(prepared, options, waits ? 'pending' : 'deployed') };
  }

  /**
   * Stops the command (SIGINT, SIGTERM): the apply sends no further request, the requests in flight
   * finish and what they applied is recorded (`failed`); a revision still `pending` because its wait was
   * cut short is marked `failed`; then the lock is given up. Resolves to the revision this command
   * recorded, as history now has it.
   */
  public async interrupt(): Promise<Revision | undefined> {
    this.stopping.abort();
    await this.applying?.catch(() => {});
    const revision =
      this.recorded === undefined ? undefined : await failIfPending(this.history, this.recorded);
    await this.lock?.release();
    return revision;
  }

  /**
   * For a change set with nothing to change: records the manifests as a revision when the latest one
   * does not hold them (an apply changed the cluster, then stopped before it recorded its revision), so
   * that history always records what was applied. Undefined when the history was right.
   */
  public async recordUnrecorded(
    changeSet: ChangeSet,
    options: DeployOptions = {},
  ): Promise<Revision | undefined> {
    return this.locked('apply', async () => {
      const prepared = await this.history.prepare(desiredObjects(changeSet));
      if (this.stopping.signal.aborted) {
        throw new InterruptedError('recording');
      }
      const { latest } = prepared;
      // Without any revision, only a parent says that something was applied.
      if (latest ? await this.history.holdsManifestsOf(latest, prepared) : !changeSet.previousScope) {
        return undefined;
      }
      return this.record(
        prepared,
        options,
        'deployed',
        'the cluster already matched: applied by a command that stopped before recording it',
      );
    });
  }

  /** Records a revision with `status`; a deployed one supersedes the revisions deployed before it. */
  private async record(
    prepared: PreparedRevision,
    options: DeployOptions,
    status: RevisionStatus,
    note?: string,
  ): Promise<Revision> {
    const { revision, others } = await this.history.record(prepared, {
      user: this.user,
      message: [options.message, note].filter(Boolean).join('; '),
      status,
      writer: `${commandIdentity()} ${process.pid} ${Date.now()}`,
      keep: options.keepRevisions,
    });
    this.recorded = revision.number;
    if (status === 'deployed') {
      await markDeployed(this.history, revision.number, [...others, revision]);
    }
    return revision;
  }

  private async rollBackAfter(error: Error, recreateOnImmutable: boolean): Promise<never> {
    const target = (await this.history.lastGood())?.number;
    if (target === undefined) {
      throw error;
    }
    try {
      await this.rollback({
        toRevision: target,
        message: `automatic rollback: ${firstLine(error)}`,
        recreateOnImmutable,
      });
    } catch (rollbackError) {
      throw new Error(
        `${error.message}\nthe rollback to revision ${target} failed too: ${(rollbackError as Error).message}\nrun \`cdk8s-devops rollback --to-revision ${target}\` once the cause is fixed`,
        { cause: error },
      );
    }
    throw new RolledBackError(error, target);
  }

  /**
   * Applies a recorded revision again as a new revision (by default the newest healthy one before the
   * latest; failed and rolled-back revisions are never picked by default); the revision it replaces is
   * marked rolled-back.
   */
  public async rollback(options?: RollbackOptions & { confirm?: undefined }): Promise<DeployResult>;
  public async rollback(options: RollbackOptions): Promise<DeployResult | undefined>;
  public async rollback(options: RollbackOptions = {}): Promise<DeployResult | undefined> {
    // Before the lock, which creates the namespace: a wrong name must not leave one behind.
    await this.assertExists();
    return this.locked('rollback', async () => {
      const revisions = await this.history.list();
      const target = await rollbackTarget(this.history, revisions, options.toRevision, this.context.applySet);
      const replaced = revisions.at(-1);
      const changeSet = await this.changeSet(target.manifests, {
        forceConflicts: true,
        adopt: true,
        recreateOnImmutable: options.recreateOnImmutable,
      });
      if (options.confirm && !(await options.confirm(changeSet))) {
        return undefined;
      }
      const returned = await returnBlueGreensToStable(
        this.context.api,
        changeSet.changes,
        this.stopping.signal,
      );
      const result = await this.applyAndRecord(changeSet, {
        forceConflicts: true,
        wait: options.wait,
        message: options.message ?? rollbackMessage(target, returned.map(describeReturned)),
      });
      if (replaced && result.revision) {
        await this.history.markRolledBack(replaced, result.revision.number);
      }
      return result;
    });
  }

  /**
   * Throws unless something was ever applied under this ApplySet's name here (a parent or a revision),
   * naming where it looked: a misspelt name or namespace is said, not taken for an empty app.
   */
  public async assertExists(): Promise<void> {
    const { name, namespace } = this.context.applySet;
    if ((await this.history.list()).length > 0 || (await this.context.applySet.readScope())) {
      return;
    }
    throw new Error(
      `there is no ApplySet ${name} in namespace ${namespace}: nothing was ever applied under that name there. Check --applyset and -n (or --env)`,
    );
  }

  /**
   * Deletes the app: every member, then the parent and the revisions, then the parent's Namespace when
   * it was a member and holds nothing else. `confirm` sees the change set first and may refuse.
   */
  public async delete(confirm: (changeSet: ChangeSet) => Promise<boolean>): Promise<ApplyResult | undefined> {
    return this.locked('delete', async () => {
      const changeSet = await this.changeSet([], { allowEmpty: true });
      if (!(await confirm(changeSet))) {
        return undefined;
      }
      return deleteApp(this.context, this.history, changeSet, this.applySteps({}));
    });
  }

  /**
   * Moves the release from the ApplySet `from` (in the same namespace unless given one; for apps applied
   * when the name came from the folder): takes both locks, relabels every member, moves the revisions,
   * writes this parent and deletes the old one. Nothing is applied or deleted in the app itself.
   */
  public async migrateFrom(
    from: string,
    fromNamespace = this.context.applySet.namespace,
  ): Promise<MigrateResult> {
    const old = migrationSource(this.context, from, fromNamespace);
    return this.locked('migrate', () => migrate(this.context, this.history, old));
  }

  /** Waits for the objects to be ready. */
  public async watch(manifests: readonly Manifest[], options?: WaitOptions): Promise<WaitResult> {
    return this.waitFor(await resolveManifests(this.context, manifests), options);
  }

  /** The readiness of each object now. */
  public async status(manifests: readonly Manifest[]): Promise<ObjectStatus[]> {
    return currentStatus(this.context, await resolveManifests(this.context, manifests), this.readiness);
  }

  /** An Argo Rollouts operation on the Rollout `name` (in the default namespace unless given one). */
  public operateRollout(
    operation: RolloutOperation,
    name: string,
    namespace = this.defaultNamespace,
  ): Promise<void> {
    return operateRollout(this.context.api, operation, { namespace, name });
  }

  /**
   * The apply's steps as the release runs them: stopped by an interrupt, the lock checked before the
   * prune, every step told to the observer, and new CRDs waited for between stages.
   */
  private applySteps(options: DeployOptions): ApplySteps {
    return {
      ...options,
      signal: this.stopping.signal,
      beforePrune: () => this.lock!.assertHeld('pruning'),
      onStep: options.onStep ?? this.onStep,
      untilServed: (crds) => waitUntilServed(this.context, crds, options.crdTimeoutMs ?? 60_000),
    };
  }

  private waitFor(objects: readonly Manifest[], options: WaitOptions = {}): Promise<WaitResult> {
    return waitForReady(this.context, objects, { readiness: this.readiness, ...options });
  }
}
