/**
 * Revision history, in the cluster next to the ApplySet parent: one Secret per successful apply, holding
 * the applied manifests (gzip, then base64 as Secret data is) with when, who and why. Rollback applies
 * one of them again.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ApiClient } from './api-client.js';
import { ApiError } from './api-client.js';
import type { ApplySet } from './applyset.js';
import type { Manifest } from './resources.js';

export const REVISION_SECRET_TYPE = 'cdk8s-devops.io/revision';

export const REVISION_LABELS = {
  applySet: 'cdk8s-devops.io/applyset',
  revision: 'cdk8s-devops.io/revision',
} as const;

export const REVISION_ANNOTATIONS = {
  time: 'cdk8s-devops.io/time',
  user: 'cdk8s-devops.io/user',
  message: 'cdk8s-devops.io/message',
} as const;

export interface Revision {
  readonly number: number;
  /** ISO 8601. */
  readonly time: string;
  readonly user: string;
  readonly message: string;
  /** How many objects it applied. */
  readonly objects: number;
}

export interface RecordOptions {
  readonly user: string;
  /** @default '' */
  readonly message?: string;
  /**
   * How many revisions to keep; older ones are deleted.
   *
   * @default 10
   */
  readonly keep?: number;
}

/** Manifests as a Secret data value: JSON, gzip, base64. */
export function encodeManifests(manifests: readonly Manifest[]): string {
  return gzipSync(JSON.stringify(manifests)).toString('base64');
}

export function decodeManifests(data: string): Manifest[] {
  return JSON.parse(gunzipSync(Buffer.from(data, 'base64')).toString('utf8')) as Manifest[];
}

/** The name of a revision's Secret: `<applyset>.v<number>`, as Helm names its release Secrets. */
export function revisionName(applySetName: string, revision: number): string {
  return `${applySetName}.v${revision}`;
}

interface RevisionSecret extends Manifest {
  readonly data?: { manifests?: string };
}

export class RevisionHistory {
  public constructor(
    private readonly api: ApiClient,
    private readonly applySet: ApplySet,
  ) {}

  private get collection(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.applySet.namespace)}/secrets`;
  }

  /** Every revision kept, oldest first. */
  public async list(): Promise<Revision[]> {
    return (await this.secrets()).map(toRevision);
  }

  /** The manifests of one revision; the error lists the revisions there are. */
  public async manifests(revision: number): Promise<Manifest[]> {
    const secrets = await this.secrets();
    const found = secrets.find((s) => Number(s.metadata.labels?.[REVISION_LABELS.revision]) === revision);
    if (!found?.data?.manifests) {
      const known = secrets.map((s) => s.metadata.labels?.[REVISION_LABELS.revision]).join(', ') || 'none';
      throw new Error(
        `revision ${revision} of ApplySet ${this.applySet.namespace}/${this.applySet.name} does not exist (revisions: ${known}); see \`cdk8s-devops history\``,
      );
    }
    return decodeManifests(found.data.manifests);
  }

  /** Stores the manifests as the next revision and drops the oldest beyond `keep`. */
  public async record(manifests: readonly Manifest[], options: RecordOptions): Promise<Revision> {
    const existing = await this.secrets();
    const number = existing.length > 0 ? toRevision(existing[existing.length - 1]).number + 1 : 1;
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: REVISION_SECRET_TYPE,
      metadata: {
        name: revisionName(this.applySet.name, number),
        namespace: this.applySet.namespace,
        labels: { [REVISION_LABELS.applySet]: this.applySet.id, [REVISION_LABELS.revision]: String(number) },
        annotations: {
          [REVISION_ANNOTATIONS.time]: new Date().toISOString(),
          [REVISION_ANNOTATIONS.user]: options.user,
          [REVISION_ANNOTATIONS.message]: options.message ?? '',
        },
      },
      data: { manifests: encodeManifests(manifests) },
    };
    try {
      await this.api.request({ path: this.collection, method: 'POST', body: secret });
    } catch (error) {
      // A retried create whose first attempt went through.
      if (!(error instanceof ApiError && error.code === 409)) {
        throw error;
      }
    }
    const keep = options.keep ?? 10;
    for (const old of existing.slice(0, Math.max(0, existing.length + 1 - keep))) {
      await this.api
        .request({ path: `${this.collection}/${encodeURIComponent(old.metadata.name)}`, method: 'DELETE' })
        .catch(() => {});
    }
    return toRevision(secret);
  }

  private async secrets(): Promise<RevisionSecret[]> {
    const list = await this.api.request<{ items: RevisionSecret[] }>({
      path: this.collection,
      query: { labelSelector: `${REVISION_LABELS.applySet}=${this.applySet.id}` },
    });
    return list.items
      .filter((s) => (s as { type?: string }).type === REVISION_SECRET_TYPE)
      .sort((a, b) => toRevision(a).number - toRevision(b).number);
  }
}

function toRevision(secret: RevisionSecret): Revision {
  const annotations = secret.metadata.annotations ?? {};
  return {
    number: Number(secret.metadata.labels?.[REVISION_LABELS.revision]),
    time: annotations[REVISION_ANNOTATIONS.time] ?? '',
    user: annotations[REVISION_ANNOTATIONS.user] ?? '',
    message: annotations[REVISION_ANNOTATIONS.message] ?? '',
    objects: secret.data?.manifests ? decodeManifests(secret.data.manifests).length : 0,
  };
}
