/**
 * A release: one app in one cluster, applied as one unit CloudFormation-style (change set, apply, wait),
 * with its ApplySet and revision history, as Helm calls an installed chart a release. This is the
 * library API; the CLI only strings its methods together.
 */
import { hostname, userInfo } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RetryPolicy } from './transport/api-client.js';
import { ApiClient, CONTENT_TYPES } from './transport/api-client.js';
import type { ApplyContext } from './plan/apply-context.js';
import { FIELD_MANAGER, resolveObject } from './plan/apply-context.js';
import type { ApplyOptions, ApplyResult } from './apply/apply.js';
import { applyChangeSet } from './apply/apply.js';
import { InterruptedError } from './errors.js';
import { removeLeftovers } from './apply/recreate.js';
import { APPLYSET_LABELS, ApplySet } from './plan/applyset.js';
import type { ChangeSet, ChangeSetOptions } from './plan/change-set.js';
import { computeChangeSet, desiredObjects } from './plan/change-set.js';
import { canonicalDigest } from './plan/canonical-json.js';
import { checkpoint } from './checkpoints.js';
import { LeaseLock } from './apply/lease-lock.js';
import { foreignObjectsIn } from './plan/namespace-guard.js';
import { contextNamespace } from './transport/kubeconfig.js';
import type { Manifest } from './transport/resources.js';
import { ResourceCatalog, UnknownKindError } from './transport/resources.js';
import type { PreparedRevision, Revision, RevisionStatus } from './record/revisions.js';
import { checkApplySetName, RevisionHistory } from './record/revisions.js';
import type { ReadinessRegistry } from './wait/readiness/index.js';
import { DEFAULT_READINESS } from './wait/readiness/index.js';
import type { RolloutOperation } from './apply/rollout-operations.js';
import { operateRollout } from './apply/rollout-operations.js';
import { changedObjects, describeStable, workloadOutcomes } from './record/workload-outcomes.js';
import type { ObjectStatus, WaitOptions, WaitResult } from './wait/watch.js';
import { currentStatus, describeUnready, waitForReady } from './wait/watch.js';

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

/** The objects did not all become ready: `result` says which failed or ran out of time. */
export class WaitError extends Error {
  public constructor(public readonly result: WaitResult) {
    const bad = result.objects.filter((o) => o.outcome !== 'ready');
    super(
      `${bad.length} object${bad.length === 1 ? '' : 's'} did not become ready:\n${describeUnready(bad)}`,
    );
    this.name = 'WaitError';
  }
}

export interface MigrateResult {
  /** How many objects were relabelled as members of the new ApplySet. */
  readonly members: number;
  /** How many revisions were moved. */
  readonly revisions: number;
}

/** The change set holds conflicts: objects of another ApplySet, or fields another field manager owns. */
export class ConflictError extends Error {
  public constructor(changeSet: ChangeSet) {
    const conflicts = changeSet.changes.filter((c) => c.operation === 'conflict');
    super(
      `${conflicts.length} object${conflicts.length === 1 ? '' : 's'} cannot be applied:\n${conflicts
        .map((c) => `  - ${c.ref}: ${c.reason}`)
        .join('\n')}\nnothing was applied`,
    );
    this.name = 'ConflictError';
  }
}

/** The deploy failed and the release was rolled back to `revision`; `cause` is why it failed. */
export class RolledBackError extends Error {
  public constructor(
    public readonly cause: Error,
    public readonly revision: number,
  ) {
    super(`${cause.message}\nrolled back to revision ${revision}`, { cause });
    this.name = 'RolledBackError';
  }
}

export class Release {
  public static connect(options: ReleaseOptions): Release {
    const api = ApiClient.fromKubeConfig(options.kubeConfig, {
      retry: options.retry,
      onWarning: options.onWarning,
    });
    const catalog = new ResourceCatalog(api);
    const namespace = options.namespace ?? contextNamespace(options.kubeConfig) ?? 'default';
    const fieldManager = options.fieldManager ?? FIELD_MANAGER;
    checkApplySetName(options.name ?? 'cdk8s-devops');
    const applySet = new ApplySet(api, catalog, {
      name: options.name ?? 'cdk8s-devops',
      namespace,
      fieldManager,
    });
    const user = options.kubeConfig.getCurrentUser()?.name ?? userInfo().username;
    return new Release(
      { api, catalog, applySet, fieldManager, defaultNamespace: namespace },
      user,
      options.readiness ?? DEFAULT_READINESS,
    );
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

  /** The name of the Lease that locks the release, beside the parent. */
  private get lockName(): string {
    return `${this.context.applySet.name}.lock`;
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
    const { name, namespace } = this.context.applySet;
    await this.context.applySet.ensureNamespace();
    this.lock = await LeaseLock.acquire(this.context.api, {
      namespace,
      name: this.lockName,
      applySet: name,
      holder: `${userInfo().username}@${hostname()}`,
      command,
      breakHint: `break its lock with \`cdk8s-devops unlock --applyset ${name} -n ${namespace}\` (it expires by itself 15 s after its command died)`,
    });
    try {
      await checkpoint('locked');
      return await work();
    } finally {
      // Kept until released: an interrupt meanwhile waits for the same release before the process exits.
      await this.lock.release();
      this.lock = undefined;
    }
  }

  /** Deletes the release's lock whoever holds it; true when there was one. */
  public breakLock(): Promise<boolean> {
    return LeaseLock.breakLock(this.context.api, this.context.applySet.namespace, this.lockName);
  }

  /** The change set of applying `manifests`: what `apply` of it will do. */
  public changeSet(manifests: readonly Manifest[], options?: ChangeSetOptions): Promise<ChangeSet> {
    return computeChangeSet(this.context, manifests, options);
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
  public apply(changeSet: ChangeSet, options: DeployOptions = {}): Promise<DeployResult> {
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
    if (changeSet.gitops) {
      throw new Error(
        'a change set computed as the GitOps engine applies (gitops: true) only shows drift and is never applied; compute one without gitops to apply',
      );
    }
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
        await this.markDeployed(revision.number);
        return { ...result, revision: { ...revision, status: 'deployed' } };
      }
    }
    if (!options.wait) {
      return { ...result, revision };
    }
    const waited = await this.waitFor(result.applied, wait);
    if (waited.outcome !== 'ready') {
      await this.recordFailedWait(revision.number, changeSet, waited);
      throw new WaitError(waited);
    }
    await this.markDeployed(revision.number);
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
      result = await applyChangeSet(this.context, changeSet, {
        ...options,
        signal: this.stopping.signal,
        onObject: (event) => {
          changed = true;
          options.onObject?.(event);
        },
        beforePrune: () => this.lock!.assertHeld('pruning'),
      });
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
    await checkpoint('recording');
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
    let revision: Revision | undefined;
    if (this.recorded !== undefined) {
      revision = (await this.history.list()).find((r) => r.number === this.recorded);
      if (revision?.status === 'pending') {
        await this.history.setStatus(revision.number, 'failed');
        revision = { ...revision, status: 'failed' };
      }
    }
    await this.lock?.release();
    return revision;
  }

  /**
   * Marks the revision failed with its workloads' outcomes: which became ready (promoted) and which
   * stayed at, or an Argo Rollouts controller aborted back to, the version stable before.
   */
  private async recordFailedWait(number: number, changeSet: ChangeSet, waited: WaitResult): Promise<void> {
    const before = (await this.history.list()).filter((r) => r.number < number).at(-1);
    const { changed, created } = changedObjects(changeSet.changes);
    const previous = before && {
      number: before.number,
      healthy: before.status === 'deployed' || before.status === 'superseded',
      workloads: before.workloads,
    };
    const workloads = workloadOutcomes(waited.objects, changed, created, previous);
    await this.history.setStatus(number, 'failed', workloads);
  }

  /** As Helm does: the revision is deployed, and the one deployed before it superseded. */
  private async markDeployed(number: number): Promise<void> {
    for (const revision of await this.history.list()) {
      if (revision.number === number && revision.status !== 'deployed') {
        await this.history.setStatus(number, 'deployed');
      } else if (revision.number !== number && revision.status === 'deployed') {
        await this.history.setStatus(revision.number, 'superseded');
      }
    }
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
      const latest = (await this.history.list()).at(-1);
      // Without any revision, only a parent says that something was applied.
      if (latest ? await this.holdsManifestsOf(latest, prepared) : !changeSet.previousScope) {
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

  /** Whether `revision` holds the manifests of `prepared` (read when its digest is of an older kind). */
  private async holdsManifestsOf(revision: Revision, prepared: PreparedRevision): Promise<boolean> {
    if (revision.digest === prepared.digest) {
      return true;
    }
    // Digests recorded before they were canonical depend on key order: compare the manifests themselves.
    const manifests = await this.history.manifests(revision.number).catch(() => undefined);
    return manifests !== undefined && canonicalDigest(manifests) === prepared.digest;
  }

  /** Records a revision with `status`; a deployed one supersedes the revisions deployed before it. */
  private async record(
    prepared: PreparedRevision,
    options: DeployOptions,
    status: RevisionStatus,
    note?: string,
  ): Promise<Revision> {
    const revision = await this.history.record(prepared, {
      user: this.user,
      message: [options.message, note].filter(Boolean).join('; '),
      status,
      writer: `${userInfo().username}@${hostname()} ${process.pid} ${Date.now()}`,
      keep: options.keepRevisions,
    });
    this.recorded = revision.number;
    if (status === 'deployed') {
      await this.markDeployed(revision.number);
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
      const target =
        options.toRevision === undefined
          ? await this.history.lastGood()
          : { number: options.toRevision, manifests: await this.history.manifests(options.toRevision) };
      if (target === undefined) {
        throw new Error(
          `ApplySet ${this.context.applySet.namespace}/${this.context.applySet.name} has no earlier healthy revision that can be read to roll back to (revisions: ${revisions.map((r) => `${r.number} ${r.status}`).join(', ') || 'none'}); name one with --to-revision`,
        );
      }
      const to = target.number;
      const replaced = revisions.at(-1);
      const changeSet = await this.changeSet(target.manifests, {
        forceConflicts: true,
        adopt: true,
        recreateOnImmutable: options.recreateOnImmutable,
      });
      if (options.confirm && !(await options.confirm(changeSet))) {
        return undefined;
      }
      const result = await this.applyAndRecord(changeSet, {
        forceConflicts: true,
        wait: options.wait,
        message: options.message ?? `rollback to revision ${to}${describeStable(target.workloads)}`,
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
      const result = await applyChangeSet(this.context, changeSet, {
        beforePrune: () => this.lock!.assertHeld('pruning'),
      });
      await this.history.removeAll();
      await this.context.applySet.deleteParent();
      // The Namespace kept for the parent's sake goes last, when it was a member and holds nothing else.
      const home = changeSet.kept.find((k) => k.ref === `Namespace/${this.context.applySet.namespace}`);
      if (
        home &&
        (await foreignObjectsIn(this.context, this.context.applySet.namespace, this.context.applySet.id))
          .length === 0
      ) {
        await this.context.api.request({
          path: `/api/v1/namespaces/${encodeURIComponent(this.context.applySet.namespace)}`,
          method: 'DELETE',
        });
        return { ...result, pruned: [...result.pruned, home.ref] };
      }
      return result;
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
    const { api, catalog, fieldManager, applySet } = this.context;
    const old = new ApplySet(api, catalog, { name: from, namespace: fromNamespace, fieldManager });
    if (old.id === applySet.id) {
      throw new Error(`ApplySet ${from} in ${fromNamespace} is the one named already: nothing to migrate`);
    }
    return this.locked('migrate', async () => {
      const oldLock = await LeaseLock.acquire(api, {
        namespace: fromNamespace,
        name: `${from}.lock`,
        applySet: from,
        holder: `${userInfo().username}@${hostname()}`,
        command: 'migrate',
        breakHint: `break its lock with \`cdk8s-devops unlock --applyset ${from} -n ${fromNamespace}\``,
      });
      try {
        const scope = await old.readScope();
        if (!scope) {
          throw new Error(`there is no ApplySet ${from} in namespace ${fromNamespace} to migrate from`);
        }
        if (await applySet.readScope()) {
          throw new Error(
            `ApplySet ${applySet.name} in namespace ${applySet.namespace} exists already: migrate only into a new name`,
          );
        }
        // The new parent first records the scope, so that an interrupted migration can be run again.
        await applySet.writeScope(scope);
        const members = await old.listMembers(scope);
        for (const member of members) {
          await api.request({
            path: await catalog.pathOf(member),
            method: 'PATCH',
            contentType: CONTENT_TYPES.merge,
            body: { metadata: { labels: { [APPLYSET_LABELS.partOf]: applySet.id } } },
          });
        }
        await oldLock.assertHeld('moving the revisions');
        const revisions = await this.history.moveFrom(new RevisionHistory(api, old));
        await old.deleteParent();
        return { members: members.length, revisions };
      } finally {
        await oldLock.release();
      }
    });
  }

  /** Waits for the objects to be ready. */
  public async watch(manifests: readonly Manifest[], options?: WaitOptions): Promise<WaitResult> {
    return this.waitFor(await this.resolve(manifests), options);
  }

  /** The readiness of each object now. */
  public async status(manifests: readonly Manifest[]): Promise<ObjectStatus[]> {
    return currentStatus(this.context, await this.resolve(manifests), this.readiness);
  }

  /** An Argo Rollouts operation on the Rollout `name` (in the default namespace unless given one). */
  public operateRollout(
    operation: RolloutOperation,
    name: string,
    namespace = this.defaultNamespace,
  ): Promise<void> {
    return operateRollout(this.context.api, operation, { namespace, name });
  }

  private waitFor(objects: readonly Manifest[], options: WaitOptions = {}): Promise<WaitResult> {
    return waitForReady(this.context, objects, { readiness: this.readiness, ...options });
  }

  /** The manifests with namespaces settled, as they are in the cluster. */
  private resolve(manifests: readonly Manifest[]): Promise<Manifest[]> {
    return Promise.all(
      manifests.map(async (m) => {
        try {
          return (await resolveObject(this.context, m)).manifest;
        } catch (error) {
          if (error instanceof UnknownKindError) {
            throw new Error(`${m.kind}/${m.metadata.name}: ${error.message}`);
          }
          throw error;
        }
      }),
    );
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0];
