/**
 * Revision history, in the cluster next to the ApplySet parent: one Secret per apply that changed the
 * cluster (split over several when it is larger than one Secret may be), holding the applied manifests
 * (gzip, then base64 as Secret data is) with when, who, why and a status, as Helm's release Secrets do.
 * The list is read from labels and annotations alone; only a rollback decompresses, and a revision that
 * cannot be read is named and skipped, never blocking the others.
 */
import type { ApiClient } from '../transport/api-client.js';
import { ApiError, CONTENT_TYPES } from '../transport/api-client.js';
import type { ApplySet } from '../plan/applyset.js';
import { canonicalDigest } from '../plan/canonical-json.js';
import type { Manifest } from '../transport/resources.js';
import type { RevisionSecret, Revision, RevisionStatus } from './revision-secret.js';
import {
  decodeManifests,
  encodeManifests,
  MAX_PARTS,
  REVISION_NUMBER,
  PART_SIZE,
  REVISION_ANNOTATIONS,
  REVISION_LABELS,
  REVISION_SECRET_TYPE,
  revisionName,
  revisionNumber,
  toRevision,
} from './revision-secret.js';
import type { WorkloadOutcome } from './workload-outcomes.js';
import { stableManifests } from './workload-outcomes.js';

export interface RecordOptions {
  readonly user: string;
  /** @default '' */
  readonly message?: string;
  readonly status: RevisionStatus;
  /** Identifies the command that writes it. */
  readonly writer: string;
  /**
   * How many revisions to keep; older ones are deleted.
   *
   * @default 10
   */
  readonly keep?: number;
}

/** A revision ready to record: numbered, encoded and split, so recording cannot fail on number, size or name. */
export interface PreparedRevision {
  readonly number: number;
  readonly manifests: readonly Manifest[];
  readonly parts: readonly string[];
  readonly digest: string;
  /** The newest revision when it was prepared, from the same list as its number. */
  readonly latest?: Revision;
}

/** A revision to roll back to: its number and manifests (its workloads at their stable versions). */
export interface RevisionContent {
  readonly number: number;
  readonly manifests: Manifest[];
  /**
   * The outcomes by which some manifests were replaced by their stable versions.
   *
   * @default - the revision's manifests as recorded
   */
  readonly workloads?: readonly WorkloadOutcome[];
}

export class RevisionHistory {
  public constructor(
    private readonly api: ApiClient,
    private readonly applySet: ApplySet,
  ) {}

  private get collection(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.applySet.namespace)}/secrets`;
  }

  /**
   * Numbers, encodes and splits the manifests before anything is applied: whatever would keep the
   * revision from being recorded fails here, while the cluster is unchanged. The number follows every
   * number in use, those of Secrets whose label was broken included, so that no name is taken twice.
   */
  public async prepare(manifests: readonly Manifest[]): Promise<PreparedRevision> {
    const encoded = encodeManifests(manifests);
    const parts: string[] = [];
    for (let i = 0; i < encoded.length || parts.length === 0; i += PART_SIZE) {
      parts.push(encoded.subarray(i, i + PART_SIZE).toString('base64'));
    }
    if (parts.length > MAX_PARTS) {
      throw new Error(
        `the revision of ${manifests.length} objects is ${encoded.length} bytes compressed, more than ${MAX_PARTS} Secrets of ${PART_SIZE} bytes hold; nothing was applied. Split the app into several ApplySets`,
      );
    }
    const all = await this.allSecrets();
    const latest = this.revisionsOf(all).at(-1);
    const used = all.flatMap((s) => [revisionNumber(s), this.numberInName(s)]);
    const number = Math.max(0, ...used.filter((n): n is number => n !== undefined)) + 1;
    if (number > 9_999_999) {
      throw new Error(
        `ApplySet ${this.applySet.namespace}/${this.applySet.name} has used every revision number; nothing was applied. Delete its revision Secrets (see \`cdk8s-devops history\`)`,
      );
    }
    // Canonical: a manifest read back from a revision has its keys in another order than one read from a file.
    return {
      number,
      manifests,
      parts,
      digest: canonicalDigest(manifests),
      latest: latest && toRevision(latest),
    };
  }

  /**
   * What was running before the latest revision: the newest revision before it that was healthy when it
   * was replaced (deployed or superseded), or whose wait failed with its workloads' outcomes recorded
   * and no rollback replaced it (then with each workload that did not become ready at its stable
   * version), and that can be read; each one that cannot be read on the way is named in a warning and
   * skipped.
   */
  public async lastGood(): Promise<RevisionContent | undefined> {
    const candidates = (await this.list())
      .slice(0, -1)
      .reverse()
      .filter(
        (r) =>
          r.status === 'deployed' ||
          r.status === 'superseded' ||
          (r.workloads && r.rolledBackBy === undefined),
      );
    for (const candidate of candidates) {
      try {
        const manifests = await this.manifests(candidate.number);
        return {
          number: candidate.number,
          manifests: await stableManifests(manifests, candidate.workloads ?? [], (n) => this.manifests(n)),
          ...(candidate.workloads ? { workloads: candidate.workloads } : {}),
        };
      } catch (error) {
        const why = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
        this.api.warn(
          `revision ${candidate.number} (Secret ${this.applySet.namespace}/${candidate.secret}) cannot be read: ${why}; skipped, rolling back to the healthy revision before it`,
        );
      }
    }
    return undefined;
  }

  /** Every revision kept, oldest first, from labels and annotations alone. */
  public async list(): Promise<Revision[]> {
    return (await this.secrets()).map(toRevision);
  }

  /** Whether `revision` holds the manifests of `prepared` (read when its digest is of an older kind). */
  public async holdsManifestsOf(revision: Revision, prepared: PreparedRevision): Promise<boolean> {
    if (revision.digest === prepared.digest) {
      return true;
    }
    // Digests recorded before they were canonical depend on key order: compare the manifests themselves.
    const manifests = await this.manifests(revision.number).catch(() => undefined);
    return manifests !== undefined && canonicalDigest(manifests) === prepared.digest;
  }

  /** The manifests of one revision; the error lists the revisions there are, or names a Secret that cannot be read. */
  public async manifests(revision: number): Promise<Manifest[]> {
    const secrets = await this.secrets();
    const found = secrets.find((s) => revisionNumber(s) === revision);
    if (!found) {
      const known = secrets.map(revisionNumber).join(', ') || 'none';
      throw new Error(
        `revision ${revision} of ApplySet ${this.applySet.namespace}/${this.applySet.name} does not exist (revisions: ${known}); see \`cdk8s-devops history\``,
      );
    }
    const parts = Number(found.metadata.annotations?.[REVISION_ANNOTATIONS.parts] ?? 1);
    try {
      const data = [found.data?.manifests ?? ''];
      for (let part = 1; part < parts; part++) {
        const secret = await this.api.request<RevisionSecret>({
          path: `${this.collection}/${encodeURIComponent(revisionName(this.applySet.name, revision, part))}`,
        });
        data.push(secret.data?.manifests ?? '');
      }
      return decodeManifests(data);
    } catch (error) {
      throw new Error(
        `revision ${revision} (Secret ${this.applySet.namespace}/${found.metadata.name}) cannot be read: ${(error as Error).message}; choose another with --to-revision (see \`cdk8s-devops history\`)`,
        { cause: error },
      );
    }
  }

  /**
   * Stores the manifests as the next revision and drops the oldest beyond `keep`; answers with it and the
   * revisions kept beside it, as listed once it was stored.
   */
  public async record(
    prepared: PreparedRevision,
    options: RecordOptions,
  ): Promise<{ revision: Revision; others: Revision[] }> {
    const { number } = prepared;
    const secrets = prepared.parts.map((data, part) =>
      this.secretOf(
        number,
        part,
        {
          [REVISION_LABELS.revision]: String(number),
          ...(part > 0 ? { [REVISION_LABELS.part]: String(part) } : {}),
        },
        {
          [REVISION_ANNOTATIONS.time]: new Date().toISOString(),
          [REVISION_ANNOTATIONS.user]: options.user,
          [REVISION_ANNOTATIONS.message]: options.message ?? '',
          [REVISION_ANNOTATIONS.status]: options.status,
          [REVISION_ANNOTATIONS.objects]: String(prepared.manifests.length),
          [REVISION_ANNOTATIONS.parts]: String(prepared.parts.length),
          [REVISION_ANNOTATIONS.digest]: prepared.digest,
          [REVISION_ANNOTATIONS.writer]: options.writer,
        },
        { manifests: data },
      ),
    );
    // Further parts first: the first Secret, which makes the revision visible, comes last.
    for (const secret of [...secrets.slice(1), secrets[0]]) {
      await this.create(secret, options.writer);
    }
    // By number only: revisions whose label cannot be read are left alone (and named by `secrets`).
    const existing = (await this.secrets()).filter((s) => revisionNumber(s) !== number);
    const keep = options.keep ?? 10;
    const dropped = Math.max(0, existing.length + 1 - keep);
    for (const old of existing.slice(0, dropped)) {
      await this.remove(old);
    }
    return { revision: toRevision(secrets[0]), others: existing.slice(dropped).map(toRevision) };
  }

  /**
   * Sets a revision's status, and its workloads' outcomes when given (a merge patch conditioned on the
   * resourceVersion read).
   */
  public setStatus(
    revision: number,
    status: RevisionStatus,
    workloads?: readonly WorkloadOutcome[],
  ): Promise<void> {
    return this.annotate(revision, {
      [REVISION_ANNOTATIONS.status]: status,
      ...(workloads ? { [REVISION_ANNOTATIONS.workloads]: JSON.stringify(workloads) } : {}),
    });
  }

  /**
   * Marks `revision` as replaced by the rollback recorded as `by`: rolled-back, unless it failed (its
   * status stays); one whose workloads' outcomes were recorded is then no longer what a rollback
   * returns to by default.
   */
  public markRolledBack(revision: Revision, by: number): Promise<void> {
    if (revision.status !== 'failed') {
      return this.setStatus(revision.number, 'rolled-back');
    }
    return revision.workloads
      ? this.annotate(revision.number, { [REVISION_ANNOTATIONS.rolledBackBy]: String(by) })
      : Promise.resolve();
  }

  /** Sets annotations of a revision (a merge patch conditioned on the resourceVersion read). */
  private async annotate(revision: number, annotations: Record<string, string>): Promise<void> {
    // Read by its name, not listed: a revision is still marked when the list is forbidden or throttled.
    const found = await this.api
      .request<RevisionSecret>({
        path: `${this.collection}/${encodeURIComponent(revisionName(this.applySet.name, revision))}`,
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.code === 404) {
          return undefined;
        }
        throw error;
      });
    if (
      found?.metadata.labels?.[REVISION_LABELS.applySet] !== this.applySet.id ||
      revisionNumber(found) !== revision
    ) {
      return;
    }
    await this.api.request({
      path: `${this.collection}/${encodeURIComponent(found.metadata.name)}`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: { metadata: { resourceVersion: found.metadata.resourceVersion, annotations } },
    });
  }

  /**
   * Copies every revision of `from` (another ApplySet's history, for `migrate`) into this one, with its
   * number, time, user, message, status and data, then deletes the originals.
   */
  public async moveFrom(from: RevisionHistory): Promise<number> {
    const originals = await from.secrets();
    for (const original of originals) {
      const number = revisionNumber(original)!;
      const parts = Number(original.metadata.annotations?.[REVISION_ANNOTATIONS.parts] ?? 1);
      for (let part = parts - 1; part >= 0; part--) {
        const source =
          part === 0
            ? original
            : await this.api.request<RevisionSecret>({
                path: `${from.collection}/${encodeURIComponent(revisionName(from.applySet.name, number, part))}`,
              });
        await this.create(
          this.secretOf(
            number,
            part,
            source.metadata.labels ?? {},
            source.metadata.annotations ?? {},
            source.data,
          ),
          source.metadata.annotations?.[REVISION_ANNOTATIONS.writer] ?? '',
        );
      }
    }
    await from.removeAll();
    return originals.length;
  }

  /** Part `part` of revision `number` of this ApplySet, as a Secret. */
  private secretOf(
    number: number,
    part: number,
    labels: Readonly<Record<string, string>>,
    annotations: Readonly<Record<string, string>>,
    data: RevisionSecret['data'],
  ): RevisionSecret {
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      type: REVISION_SECRET_TYPE,
      metadata: {
        name: revisionName(this.applySet.name, number, part),
        namespace: this.applySet.namespace,
        labels: { ...labels, [REVISION_LABELS.applySet]: this.applySet.id },
        annotations,
      },
      data,
    };
  }

  /** Deletes every revision, those that cannot be read included (for `delete`). */
  public async removeAll(): Promise<void> {
    for (const secret of await this.allSecrets()) {
      await this.remove(secret);
    }
  }

  private async remove(secret: RevisionSecret): Promise<void> {
    const parts = Number(secret.metadata.annotations?.[REVISION_ANNOTATIONS.parts] ?? 1) || 1;
    for (let part = parts - 1; part >= 0; part--) {
      // Further parts are named after the first: `<name>.v<n>.p<part>`.
      const name = `${secret.metadata.name}${part > 0 ? `.p${part}` : ''}`;
      await this.api
        .request({ path: `${this.collection}/${encodeURIComponent(name)}`, method: 'DELETE' })
        .catch((error: unknown) => {
          if (!(error instanceof ApiError && error.code === 404)) {
            throw error;
          }
        });
    }
  }

  /** Creates a Secret; a 409 is ours only when a retried create of our own went through, else another command's. */
  private async create(secret: RevisionSecret, writer: string): Promise<void> {
    try {
      await this.api.request({ path: this.collection, method: 'POST', body: secret });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409)) {
        throw error;
      }
      const stored = await this.api.request<RevisionSecret>({
        path: `${this.collection}/${encodeURIComponent(secret.metadata.name)}`,
      });
      if (stored.metadata.annotations?.[REVISION_ANNOTATIONS.writer] !== writer) {
        throw new Error(
          `Secret ${this.applySet.namespace}/${secret.metadata.name} was recorded by another command meanwhile; nothing is lost, but this revision was not recorded: see \`cdk8s-devops history\``,
          { cause: error },
        );
      }
    }
  }

  /**
   * The revisions' first Secrets, ordered by revision number; one whose revision label is not a number
   * (changed by hand) cannot be placed, so it is named in a warning and left out.
   */
  private async secrets(): Promise<RevisionSecret[]> {
    return this.revisionsOf(await this.allSecrets());
  }

  /** `secrets` of a list read already. */
  private revisionsOf(all: readonly RevisionSecret[]): RevisionSecret[] {
    for (const secret of all.filter((s) => revisionNumber(s) === undefined)) {
      const fromName = this.numberInName(secret);
      const label = secret.metadata.labels?.[REVISION_LABELS.revision];
      this.api.warn(
        `revision Secret ${this.applySet.namespace}/${secret.metadata.name} is skipped: its label ${REVISION_LABELS.revision} is "${label ?? ''}", not a revision number; restore it (\`kubectl label secret ${secret.metadata.name} -n ${this.applySet.namespace} ${REVISION_LABELS.revision}=${fromName ?? '<n>'} --overwrite\`) or delete the Secret`,
      );
    }
    return all
      .filter((s) => revisionNumber(s) !== undefined)
      .sort((a, b) => revisionNumber(a)! - revisionNumber(b)!);
  }

  /** Every first Secret of a revision of this ApplySet, whatever its labels say. */
  private async allSecrets(): Promise<RevisionSecret[]> {
    const list = await this.api.request<{ items: RevisionSecret[] }>({
      path: this.collection,
      query: { labelSelector: `${REVISION_LABELS.applySet}=${this.applySet.id},!${REVISION_LABELS.part}` },
    });
    return list.items.filter((s) => (s as { type?: string }).type === REVISION_SECRET_TYPE);
  }

  /** The number in a revision Secret's name (`<applyset>.v<n>`), whatever its label says. */
  private numberInName(secret: RevisionSecret): number | undefined {
    const prefix = `${this.applySet.name}.v`;
    const rest = secret.metadata.name.startsWith(prefix) ? secret.metadata.name.slice(prefix.length) : '';
    return REVISION_NUMBER.test(rest) ? Number(rest) : undefined;
  }
}
