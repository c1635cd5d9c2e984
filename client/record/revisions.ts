/**
 * Revision history, in the cluster next to the ApplySet parent: one Secret per apply that changed the
 * cluster (split over several when it is larger than one Secret may be), holding the applied manifests
 * (gzip, then base64 as Secret data is) with when, who, why and a status, as Helm's release Secrets do.
 * The list is read from labels and annotations alone; only a rollback decompresses, and a revision that
 * cannot be read is named and skipped, never blocking the others.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ApiClient } from '../transport/api-client.js';
import { ApiError, CONTENT_TYPES } from '../transport/api-client.js';
import type { ApplySet } from '../plan/applyset.js';
import { canonicalDigest } from '../plan/canonical-json.js';
import type { Manifest } from '../transport/resources.js';
import type { WorkloadOutcome } from './workload-outcomes.js';
import { stableManifests, WORKLOAD_OUTCOMES } from './workload-outcomes.js';

export const REVISION_SECRET_TYPE = 'cdk8s-devops.io/revision';

export const REVISION_LABELS = {
  applySet: 'cdk8s-devops.io/applyset',
  revision: 'cdk8s-devops.io/revision',
  /** On the second and later Secrets of a revision split over several. */
  part: 'cdk8s-devops.io/part',
} as const;

export const REVISION_ANNOTATIONS = {
  time: 'cdk8s-devops.io/time',
  user: 'cdk8s-devops.io/user',
  message: 'cdk8s-devops.io/message',
  status: 'cdk8s-devops.io/status',
  objects: 'cdk8s-devops.io/objects',
  parts: 'cdk8s-devops.io/parts',
  /** sha256 of the manifests' JSON: tells whether the latest revision holds a given set. */
  digest: 'cdk8s-devops.io/digest',
  /** Which command wrote it, to recognise our own write when a retried create answers 409. */
  writer: 'cdk8s-devops.io/writer',
  /** JSON: per workload, how the wait of a revision that failed in it ended and what stayed stable. */
  workloads: 'cdk8s-devops.io/workloads',
  /** On a failed revision with workloads' outcomes: the rollback that replaced it. */
  rolledBackBy: 'cdk8s-devops.io/rolled-back-by',
} as const;

/**
 * Helm's release statuses: `pending` while its wait runs (or when the command died during it),
 * `deployed` the revision in the cluster now, `failed` its apply or wait failed, `superseded` a later
 * revision was deployed, `rolled-back` a rollback replaced it.
 */
export const REVISION_STATUSES = ['pending', 'deployed', 'failed', 'superseded', 'rolled-back'] as const;
export type RevisionStatus = (typeof REVISION_STATUSES)[number];

export interface Revision {
  readonly number: number;
  /** ISO 8601. */
  readonly time: string;
  readonly user: string;
  readonly message: string;
  readonly status: RevisionStatus;
  /** How many objects it applied. */
  readonly objects: number;
  /** The Secret that holds it (the first, when split). */
  readonly secret: string;
  /**
   * sha256 of its manifests.
   *
   * @default - unknown (written before digests were recorded)
   */
  readonly digest?: string;
  /**
   * For a revision whose wait failed: how each workload's wait ended and which revision's version of it
   * stayed stable.
   *
   * @default - not recorded (the wait did not fail, or it was recorded before outcomes were)
   */
  readonly workloads?: readonly WorkloadOutcome[];
  /**
   * The rollback that replaced a failed revision (its status stays failed).
   *
   * @default - none did
   */
  readonly rolledBackBy?: number;
}

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

/** Secret data may hold 1 MiB in all; a part holds at most this many gzip bytes (base64 makes them 4/3 as many). */
export const PART_SIZE = 700 * 1024;

/** At most this many Secrets per revision (70 MiB of gzip): the name check below counts on two digits. */
export const MAX_PARTS = 99;

/**
 * Checks, before anything is applied, that an ApplySet name can name its parent Secret, its revisions
 * (`<name>.v<n>.p<part>`) and its Lease (`<name>.lock`): a DNS subdomain with room for those suffixes.
 */
export function checkApplySetName(name: string): void {
  const longest = revisionName(name, 9_999_999, MAX_PARTS);
  if (
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name) ||
    longest.length > 253
  ) {
    throw new Error(
      `the ApplySet name "${name}" cannot name its parent Secret and revisions: use lowercase letters, digits, '-' and '.', at most ${253 - (longest.length - name.length)} characters (set it with --applyset or "cdk8s-devops": { "applySet" } in package.json)`,
    );
  }
}

/** Manifests as stored: JSON, gzip; split into parts of PART_SIZE bytes, each base64 as Secret data is. */
export function encodeManifests(manifests: readonly Manifest[]): Buffer {
  return gzipSync(JSON.stringify(manifests));
}

/** The manifests from the base64 data values of a revision's parts, in order. */
export function decodeManifests(parts: readonly string[]): Manifest[] {
  const gzip = Buffer.concat(parts.map((part) => Buffer.from(part, 'base64')));
  return JSON.parse(gunzipSync(gzip).toString('utf8')) as Manifest[];
}

/** The name of a revision's Secret: `<applyset>.v<number>`, as Helm names its release Secrets; `.p<n>` for further parts. */
export function revisionName(applySetName: string, revision: number, part = 0): string {
  return `${applySetName}.v${revision}${part > 0 ? `.p${part}` : ''}`;
}

interface RevisionSecret extends Manifest {
  readonly data?: { manifests?: string };
}

/** A revision ready to record: numbered, encoded and split, so recording cannot fail on number, size or name. */
export interface PreparedRevision {
  readonly number: number;
  readonly manifests: readonly Manifest[];
  readonly parts: readonly string[];
  readonly digest: string;
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
    const used = all.flatMap((s) => [revisionNumber(s), this.numberInName(s)]);
    const number = Math.max(0, ...used.filter((n): n is number => n !== undefined)) + 1;
    if (number > 9_999_999) {
      throw new Error(
        `ApplySet ${this.applySet.namespace}/${this.applySet.name} has used every revision number; nothing was applied. Delete its revision Secrets (see \`cdk8s-devops history\`)`,
      );
    }
    // Canonical: a manifest read back from a revision has its keys in another order than one read from a file.
    return { number, manifests, parts, digest: canonicalDigest(manifests) };
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

  /** Stores the manifests as the next revision and drops the oldest beyond `keep`. */
  public async record(prepared: PreparedRevision, options: RecordOptions): Promise<Revision> {
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
    for (const old of existing.slice(0, Math.max(0, existing.length + 1 - keep))) {
      await this.remove(old);
    }
    return toRevision(secrets[0]);
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
    const found = (await this.secrets()).find((s) => revisionNumber(s) === revision);
    if (!found) {
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
    const all = await this.allSecrets();
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
    return NUMBER.test(rest) ? Number(rest) : undefined;
  }
}

/** A revision number: 1 to 9,999,999 (checkApplySetName leaves room for seven digits). */
const NUMBER = /^[1-9]\d{0,6}$/;

/** The revision label's number; undefined unless it is a revision number. */
function revisionNumber(secret: RevisionSecret): number | undefined {
  const label = secret.metadata.labels?.[REVISION_LABELS.revision] ?? '';
  return NUMBER.test(label) ? Number(label) : undefined;
}

function toRevision(secret: RevisionSecret): Revision {
  const annotations = secret.metadata.annotations ?? {};
  return {
    number: revisionNumber(secret)!,
    time: annotations[REVISION_ANNOTATIONS.time] ?? '',
    user: annotations[REVISION_ANNOTATIONS.user] ?? '',
    message: annotations[REVISION_ANNOTATIONS.message] ?? '',
    // Revisions written before statuses existed were only ever written for a successful apply.
    status: (annotations[REVISION_ANNOTATIONS.status] as RevisionStatus | undefined) ?? 'deployed',
    objects: Number(annotations[REVISION_ANNOTATIONS.objects] ?? objectsOfOldRevision(secret)),
    secret: secret.metadata.name,
    digest: annotations[REVISION_ANNOTATIONS.digest],
    workloads: workloadsOf(annotations[REVISION_ANNOTATIONS.workloads]),
    rolledBackBy: NUMBER.test(annotations[REVISION_ANNOTATIONS.rolledBackBy] ?? '')
      ? Number(annotations[REVISION_ANNOTATIONS.rolledBackBy])
      : undefined,
  };
}

/** The outcomes annotation; undefined when absent or not as written (then the revision counts as old). */
function workloadsOf(annotation: string | undefined): WorkloadOutcome[] | undefined {
  try {
    const parsed = JSON.parse(annotation ?? 'null') as unknown;
    const valid =
      Array.isArray(parsed) &&
      parsed.every(
        (w: Partial<WorkloadOutcome>) =>
          typeof w.ref === 'string' &&
          WORKLOAD_OUTCOMES.includes(w.outcome!) &&
          (w.stable === undefined || Number.isInteger(w.stable)),
      );
    return valid ? (parsed as WorkloadOutcome[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Revisions written before the object count was an annotation: counted once, or -1 when unreadable. */
function objectsOfOldRevision(secret: RevisionSecret): number {
  try {
    return decodeManifests([secret.data?.manifests ?? '']).length;
  } catch {
    return -1;
  }
}
