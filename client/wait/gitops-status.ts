/**
 * What a GitOps engine reports about one environment: Flux's Kustomization (the revision applied, the
 * revision last attempted, Ready and why not) and the GitRepository it reads (the revision fetched, and
 * whether the repository can be fetched at all).
 */
import type { ApiClient } from '../transport/api-client.js';
import { ApiError } from '../transport/api-client.js';

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface EngineObjectStatus {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly ready: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

export interface GitOpsStatus {
  readonly kustomization: EngineObjectStatus & {
    readonly appliedRevision?: string;
    readonly attemptedRevision?: string;
    readonly suspended: boolean;
  };
  /** The source, with the repository URL and branch of a GitRepository that names one. */
  readonly source?: EngineObjectStatus & {
    readonly revision?: string;
    readonly url?: string;
    readonly branch?: string;
  };
  /** The commit the branch the engine reads points to now (the newest published), when it could be read. */
  readonly published?: string;
}

interface FluxObject {
  readonly spec?: {
    sourceRef?: { kind: string; name: string; namespace?: string };
    suspend?: boolean;
    url?: string;
    ref?: { branch?: string };
  };
  readonly status?: {
    conditions?: Condition[];
    lastAppliedRevision?: string;
    lastAttemptedRevision?: string;
    artifact?: { revision?: string };
  };
}

const GROUPS: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1/namespaces/{ns}/kustomizations',
  GitRepository: 'source.toolkit.fluxcd.io/v1/namespaces/{ns}/gitrepositories',
  OCIRepository: 'source.toolkit.fluxcd.io/v1/namespaces/{ns}/ocirepositories',
  Bucket: 'source.toolkit.fluxcd.io/v1/namespaces/{ns}/buckets',
};

async function readFlux(api: ApiClient, kind: string, namespace: string, name: string) {
  const path = `/apis/${GROUPS[kind].replace('{ns}', namespace)}/${name}`;
  try {
    return await api.request<FluxObject>({ path });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) {
      return undefined;
    }
    throw error;
  }
}

function statusOf(ref: string, object: FluxObject): EngineObjectStatus {
  const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    ref,
    ready: ready?.status === 'True' || ready?.status === 'False' ? ready.status : 'Unknown',
    ...(ready?.reason ? { reason: ready.reason } : {}),
    ...(ready?.message ? { message: ready.message } : {}),
  };
}

/** The Kustomization `name` in `namespace` and its source; an error saying where to look when it is missing. */
export async function readGitOpsStatus(
  api: ApiClient,
  namespace: string,
  name: string,
): Promise<GitOpsStatus> {
  const kustomization = await readFlux(api, 'Kustomization', namespace, name);
  if (!kustomization) {
    throw new Error(
      `no Flux Kustomization ${namespace}/${name} on this cluster: apply the environment's GitOps objects (dist/gitops/) to the cluster it runs in, or pass --gitops-namespace`,
    );
  }
  const sourceRef = kustomization.spec?.sourceRef;
  const sourceNamespace = sourceRef?.namespace ?? namespace;
  const source =
    sourceRef &&
    GROUPS[sourceRef.kind] &&
    (await readFlux(api, sourceRef.kind, sourceNamespace, sourceRef.name));
  return {
    kustomization: {
      ...statusOf(`Kustomization/${namespace}/${name}`, kustomization),
      appliedRevision: kustomization.status?.lastAppliedRevision,
      attemptedRevision: kustomization.status?.lastAttemptedRevision,
      suspended: kustomization.spec?.suspend === true,
    },
    ...(source && sourceRef
      ? {
          source: {
            ...statusOf(`${sourceRef.kind}/${sourceNamespace}/${sourceRef.name}`, source),
            revision: source.status?.artifact?.revision,
            ...(source.spec?.url ? { url: source.spec.url } : {}),
            ...(source.spec?.ref?.branch ? { branch: source.spec.ref.branch } : {}),
          },
        }
      : {}),
  };
}

/** `main@sha1:3f2a91c...` -> `3f2a91c...`. */
function commitOf(revision: string | undefined): string | undefined {
  return revision?.match(/(?:sha1|sha256):([0-9a-f]+)$/)?.[1] ?? revision;
}

/** `main@sha1:3f2a91c...` -> `3f2a91c`. */
export function shortRevision(revision: string | undefined): string {
  return commitOf(revision)?.slice(0, 7) ?? 'none';
}

/**
 * Where the newest published commit is on its way, or undefined once it is applied (or when it is
 * unknown): the engine reports its last applied commit Ready until its source fetches the next one.
 */
export function publishedNotApplied(status: GitOpsStatus): string | undefined {
  const { published, kustomization: k, source } = status;
  if (!published || commitOf(k.appliedRevision) === published) {
    return undefined;
  }
  const commit = `commit ${published.slice(0, 7)}`;
  if (source && commitOf(source.revision) !== published) {
    return `${commit} published, not fetched yet by ${source.ref}`;
  }
  return commitOf(k.attemptedRevision) === published ? undefined : `${commit} fetched, not applied yet`;
}

/** One line for people: which commit runs, and what keeps a newer one from running. */
export function describeGitOps(environment: string, status: GitOpsStatus): string {
  const { kustomization: k, source } = status;
  const applied = k.appliedRevision
    ? `commit ${shortRevision(k.appliedRevision)} applied`
    : 'nothing applied yet';
  const parts = [applied];
  if (k.suspended) {
    parts.push('reconciliation suspended');
  }
  if (k.attemptedRevision && k.attemptedRevision !== k.appliedRevision) {
    // Unknown: the engine is still applying it, or waiting for its objects to become healthy.
    const state = k.ready === 'Unknown' ? 'being applied' : 'not applied';
    parts.push(
      `commit ${shortRevision(k.attemptedRevision)} ${state}: ${k.message ?? k.reason ?? 'no reason given'}`,
    );
  } else if (k.ready !== 'True') {
    parts.push(
      `${k.ready === 'False' ? 'not Ready' : 'in progress'}: ${k.message ?? k.reason ?? 'no reason given'}`,
    );
  }
  const onItsWay = publishedNotApplied(status);
  if (onItsWay) {
    parts.push(onItsWay);
  }
  if (source && source.ready !== 'True') {
    parts.push(
      `the source cannot be fetched (${source.ref}): ${source.message ?? source.reason ?? 'no reason given'}`,
    );
  }
  return `${environment}: ${parts.join('; ')}`;
}
