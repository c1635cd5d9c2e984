/**
 * The lock that keeps two applies of one ApplySet apart: a `coordination.k8s.io` Lease beside the parent,
 * taken before the change set is computed and held through the confirmation, the apply, the prune and
 * the revision. It names its holder and start time, expires soon unless renewed (so a killed command
 * blocks others for seconds, not forever), and every write to it carries the resourceVersion it read, so
 * two takers can never both win.
 */
import { randomUUID } from 'node:crypto';
import type { ApiClient } from '../transport/api-client.js';
import { ApiError, CONTENT_TYPES } from '../transport/api-client.js';

/** How long a lease lasts without renewal; it is renewed three times as often. */
export const LEASE_SECONDS = 15;

export const LOCK_ANNOTATIONS = {
  holder: 'cdk8s-devops.io/holder',
  command: 'cdk8s-devops.io/command',
} as const;

interface Lease {
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly resourceVersion?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly holderIdentity?: string;
    readonly leaseDurationSeconds?: number;
    readonly acquireTime?: string;
    readonly renewTime?: string;
  };
}

/** Another command holds the lock; `holder`, `command` and `since` say who, doing what, since when. */
export class LockedError extends Error {
  public constructor(
    public readonly applySet: string,
    public readonly holder: string,
    public readonly command: string,
    public readonly since: string,
    breakHint: string,
  ) {
    super(
      `another ${command} of ${applySet} by ${holder} since ${since.slice(11, 19)} is in progress; wait for it, or, if it is no longer running, ${breakHint}`,
    );
    this.name = 'LockedError';
  }
}

/** The lock was lost while held (broken by someone, or not renewed in time): stop before changing more. */
export class LockLostError extends Error {
  public constructor(applySet: string, step: string) {
    super(
      `the lock on ${applySet} was lost (broken, or not renewed in time) before ${step}; stopped there. Run the command again: what was applied is kept, and the next run finishes the work`,
    );
    this.name = 'LockLostError';
  }
}

export interface LockOptions {
  /** The namespace and name of the Lease. */
  readonly namespace: string;
  readonly name: string;
  /** The ApplySet's name, for messages. */
  readonly applySet: string;
  /** Who holds it: `user@host`. */
  readonly holder: string;
  /** What for: `apply`, `rollback`, ... */
  readonly command: string;
  /** What to tell someone who finds the lock stale. */
  readonly breakHint: string;
}

/** A Lease's MicroTime: RFC 3339 with six fractional digits. */
const microTime = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

const expiresAt = (lease: Lease) =>
  Date.parse(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? '') +
  (lease.spec?.leaseDurationSeconds ?? 0) * 1000;

export class LeaseLock {
  /** Takes the lock, or throws LockedError naming the holder. */
  public static async acquire(api: ApiClient, options: LockOptions): Promise<LeaseLock> {
    const lock = new LeaseLock(api, options);
    await lock.take();
    return lock;
  }

  /** Deletes the Lease whoever holds it: for a lock whose command died and whose holder knows it. */
  public static async breakLock(api: ApiClient, namespace: string, name: string): Promise<boolean> {
    try {
      await api.request({ path: leasePath(namespace, name), method: 'DELETE' });
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) {
        return false;
      }
      throw error;
    }
  }

  private readonly identity: string;
  private resourceVersion?: string;
  private renewedAt = 0;
  private lost = false;
  private timer?: NodeJS.Timeout;
  /** The renewal in flight: one at a time, the next scheduled when it ends, none once released. */
  private renewal?: { readonly done: Promise<void>; readonly abort: AbortController };
  private released?: Promise<void>;

  private constructor(
    private readonly api: ApiClient,
    private readonly options: LockOptions,
  ) {
    // The holder's name for people; the random part tells two commands of one user apart.
    this.identity = `${options.holder} ${randomUUID()}`;
  }

  private get path(): string {
    return leasePath(this.options.namespace, this.options.name);
  }

  private body(now: string, acquireTime = now): Lease & { apiVersion: string; kind: string } {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.options.name,
        namespace: this.options.namespace,
        resourceVersion: this.resourceVersion,
        annotations: {
          [LOCK_ANNOTATIONS.holder]: this.options.holder,
          [LOCK_ANNOTATIONS.command]: this.options.command,
        },
      },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: LEASE_SECONDS,
        acquireTime,
        renewTime: now,
      },
    };
  }

  private async take(): Promise<void> {
    try {
      await this.takeOnce();
    } catch (error) {
      if (error instanceof ApiError && error.code === 403) {
        throw new Error(
          `${error.message}; the lock needs get, create, update, patch (to renew it) and delete on leases (coordination.k8s.io) in ${this.options.namespace}: see "The deployer's permissions" in docs/security.md`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Creates the Lease, the one request a free lock costs (a released lock leaves none); only when it
   * exists is it read: taken over when it expired, else refused naming its holder.
   */
  private async takeOnce(): Promise<void> {
    const now = microTime();
    try {
      try {
        const created = await this.api.request<Lease>({
          path: leasePath(this.options.namespace),
          method: 'POST',
          body: this.body(now),
        });
        this.resourceVersion = created.metadata.resourceVersion;
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 409)) {
          throw error;
        }
        await this.takeOver(now);
      }
    } catch (error) {
      // Someone else created or took it between our read and our write.
      if (error instanceof ApiError && error.code === 409) {
        const winner = await this.read();
        throw winner ? this.lockedBy(winner) : error;
      }
      throw error;
    }
    this.renewedAt = Date.now();
    this.scheduleRenewal();
  }

  /** Takes the existing Lease when it expired, conditioned on the version read; throws 409 when it is gone. */
  private async takeOver(now: string): Promise<void> {
    const existing = await this.read();
    if (!existing) {
      throw new ApiError(409, 'Conflict', `the lease ${this.path} was deleted while it was being taken`);
    }
    if (existing.spec?.holderIdentity && expiresAt(existing) > Date.now()) {
      throw this.lockedBy(existing);
    }
    this.resourceVersion = existing.metadata.resourceVersion;
    const taken = await this.api.request<Lease>({ path: this.path, method: 'PUT', body: this.body(now) });
    this.resourceVersion = taken.metadata.resourceVersion;
  }

  /**
   * The next renewal, a third of the lease after the last one ended: renewals never overlap, so a
   * renewal held back by throttling cannot land after a later one, or after the release.
   */
  private scheduleRenewal(): void {
    this.timer = setTimeout(
      () => {
        const abort = new AbortController();
        const done = this.renew(abort.signal).finally(() => {
          this.renewal = undefined;
          if (!this.released) {
            this.scheduleRenewal();
          }
        });
        this.renewal = { done, abort };
      },
      (LEASE_SECONDS * 1000) / 3,
    );
    this.timer.unref();
  }

  private lockedBy(lease: Lease): LockedError {
    const annotations = lease.metadata.annotations ?? {};
    return new LockedError(
      this.options.applySet,
      annotations[LOCK_ANNOTATIONS.holder] ?? lease.spec?.holderIdentity ?? 'someone',
      annotations[LOCK_ANNOTATIONS.command] ?? 'apply',
      lease.spec?.acquireTime ?? '',
      this.options.breakHint,
    );
  }

  private async read(): Promise<Lease | undefined> {
    try {
      return await this.api.request<Lease>({ path: this.path });
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * A merge patch conditioned on the resourceVersion last written: it never creates the Lease (an update
   * would, once the Lease was released or broken), and fails when anyone else wrote it since.
   */
  private async renew(signal: AbortSignal): Promise<void> {
    if (this.lost) {
      return;
    }
    try {
      const renewed = await this.api.request<Lease>({
        path: this.path,
        method: 'PATCH',
        contentType: CONTENT_TYPES.merge,
        body: { metadata: { resourceVersion: this.resourceVersion }, spec: { renewTime: microTime() } },
        signal,
      });
      this.resourceVersion = renewed.metadata.resourceVersion;
      this.renewedAt = Date.now();
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) {
        this.lost = true;
      } else if (error instanceof ApiError && error.code === 409) {
        // Ours still when a retried renewal of ours went through; else someone broke or took it.
        const current = await this.read().catch(() => undefined);
        this.lost = current?.spec?.holderIdentity !== this.identity;
        this.resourceVersion = current?.metadata.resourceVersion;
      }
      // Any other failure is retried at the next renewal; `assertHeld` decides by the time of the last one.
    }
  }

  /** Throws LockLostError unless the lock is still ours and not expired: called before each step that changes the cluster. */
  public async assertHeld(step: string): Promise<void> {
    await this.renewal?.done;
    // A fresh read: the lock may have been broken since the last renewal.
    const current = await this.read();
    if (current?.spec?.holderIdentity !== this.identity) {
      this.lost = true;
    }
    if (this.lost || Date.now() - this.renewedAt > LEASE_SECONDS * 1000) {
      throw new LockLostError(this.options.applySet, step);
    }
  }

  /**
   * Stops renewing (the renewal in flight is aborted and awaited) and gives the lock up, deleting the
   * Lease only while it is still ours. Called twice (an interrupt, then the command's end), it releases once.
   */
  public release(): Promise<void> {
    this.released ??= this.releaseOnce();
    return this.released;
  }

  private async releaseOnce(): Promise<void> {
    clearTimeout(this.timer);
    this.renewal?.abort.abort();
    await this.renewal?.done;
    // The version this command wrote last: deleted in one request unless anyone (an aborted renewal
    // of ours that still landed, or another command) wrote the Lease since.
    let version = this.resourceVersion;
    for (let attempt = 0; attempt < 3 && !this.lost && version !== undefined; attempt++) {
      try {
        await this.api.request({
          path: this.path,
          method: 'DELETE',
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            preconditions: { resourceVersion: version },
          },
        });
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 409)) {
          return;
        }
      }
      // Written since: deleted only while it is still ours, at the version read now.
      const current = await this.read().catch(() => undefined);
      if (current?.spec?.holderIdentity !== this.identity) {
        return;
      }
      version = current.metadata.resourceVersion;
    }
  }
}

function leasePath(namespace: string, name?: string): string {
  return `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases${name ? `/${encodeURIComponent(name)}` : ''}`;
}
