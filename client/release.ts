/**
 * A release: one app in one cluster, applied as one unit CloudFormation-style (change set, apply, wait),
 * with its ApplySet and revision history, as Helm calls an installed chart a release. This is the
 * library API; the CLI only strings its methods together.
 */
import { userInfo } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import type { RetryPolicy } from './api-client.js';
import { ApiClient } from './api-client.js';
import type { ApplyContext } from './apply-context.js';
import { FIELD_MANAGER, resolveObject } from './apply-context.js';
import type { ApplyOptions, ApplyResult } from './apply.js';
import { applyChangeSet } from './apply.js';
import { ApplySet } from './applyset.js';
import type { ChangeSet, ChangeSetOptions } from './change-set.js';
import { computeChangeSet, desiredObjects } from './change-set.js';
import { contextNamespace } from './kubeconfig.js';
import type { Manifest } from './resources.js';
import { ResourceCatalog, UnknownKindError } from './resources.js';
import type { Revision } from './revisions.js';
import { RevisionHistory } from './revisions.js';
import type { ReadinessRegistry } from './readiness/index.js';
import { DEFAULT_READINESS } from './readiness/index.js';
import type { RolloutOperation } from './rollout-operations.js';
import { operateRollout } from './rollout-operations.js';
import type { ObjectStatus, WaitOptions, WaitResult } from './watch.js';
import { currentStatus, waitForReady } from './watch.js';

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
      `${bad.length} object${bad.length === 1 ? '' : 's'} did not become ready:\n${bad
        .map(
          (o) =>
            `  - ${o.ref}: ${o.outcome === 'timed-out' ? 'timed out' : 'failed'}: ${o.readiness.message}`,
        )
        .join('\n')}`,
    );
    this.name = 'WaitError';
  }
}

/** The deploy failed and the stack was rolled back to `revision`; `cause` is why it failed. */
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
    const api = ApiClient.fromKubeConfig(options.kubeConfig, { retry: options.retry });
    const catalog = new ResourceCatalog(api);
    const namespace = options.namespace ?? contextNamespace(options.kubeConfig) ?? 'default';
    const fieldManager = options.fieldManager ?? FIELD_MANAGER;
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

  /** The namespace of namespaced objects whose manifest names none. */
  public get defaultNamespace(): string {
    return this.context.defaultNamespace;
  }

  /** The change set of applying `manifests`: what `apply` of it will do. */
  public changeSet(manifests: readonly Manifest[], options?: ChangeSetOptions): Promise<ChangeSet> {
    return computeChangeSet(this.context, manifests, options);
  }

  /** Applies the change set as it was computed, optionally waits, records a revision; rolls back on failure when asked to. */
  public async apply(changeSet: ChangeSet, options: DeployOptions = {}): Promise<DeployResult> {
    try {
      const result = await applyChangeSet(this.context, changeSet, options);
      if (options.dryRun) {
        return result;
      }
      const wait = options.wait ? await this.waitFor(result.applied, options.wait) : undefined;
      if (wait && wait.outcome !== 'ready') {
        throw new WaitError(wait);
      }
      const revision = await this.history.record(desiredObjects(changeSet), {
        user: this.user,
        message: options.message,
      });
      return { ...result, revision, wait };
    } catch (error) {
      if (!options.rollbackOnFailure || options.dryRun) {
        throw error;
      }
      const last = (await this.history.list()).at(-1);
      if (!last) {
        throw error;
      }
      try {
        await this.rollback({
          toRevision: last.number,
          message: `automatic rollback: ${(error as Error).message.split('\n')[0]}`,
        });
      } catch (rollbackError) {
        throw new Error(
          `${(error as Error).message}\nthe rollback to revision ${last.number} failed too: ${(rollbackError as Error).message}\nrun \`cdk8s-devops rollback --to-revision ${last.number}\` once the cause is fixed`,
          { cause: error },
        );
      }
      throw new RolledBackError(error as Error, last.number);
    }
  }

  /** Applies a recorded revision again (by default the one before the latest), as a new revision. */
  public async rollback(
    options: { toRevision?: number; wait?: WaitOptions; message?: string } = {},
  ): Promise<DeployResult> {
    const revisions = await this.history.list();
    const to = options.toRevision ?? revisions.at(-2)?.number;
    if (to === undefined) {
      throw new Error(
        `ApplySet ${this.context.applySet.namespace}/${this.context.applySet.name} has ${revisions.length} revision${revisions.length === 1 ? '' : 's'}: nothing to roll back to`,
      );
    }
    const changeSet = await this.changeSet(await this.history.manifests(to));
    return this.apply(changeSet, {
      forceConflicts: true,
      wait: options.wait,
      message: options.message ?? `rollback to revision ${to}`,
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
