/**
 * A revision as it is stored: the Secret's type, labels and annotations, its name, the statuses, and how
 * manifests are encoded into its data and a revision read back from its labels and annotations alone.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Manifest } from '../transport/resources.js';
import type { WorkloadOutcome } from './workload-outcomes.js';
import { WORKLOAD_OUTCOMES } from './workload-outcomes.js';

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

export interface RevisionSecret extends Manifest {
  readonly data?: { manifests?: string };
}

/** A revision number: 1 to 9,999,999 (checkApplySetName leaves room for seven digits). */
export const REVISION_NUMBER = /^[1-9]\d{0,6}$/;

/** The revision label's number; undefined unless it is a revision number. */
export function revisionNumber(secret: RevisionSecret): number | undefined {
  const label = secret.metadata.labels?.[REVISION_LABELS.revision] ?? '';
  return REVISION_NUMBER.test(label) ? Number(label) : undefined;
}

export function toRevision(secret: RevisionSecret): Revision {
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
    rolledBackBy: REVISION_NUMBER.test(annotations[REVISION_ANNOTATIONS.rolledBackBy] ?? '')
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
