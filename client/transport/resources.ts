import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client.js';
import { ApiError } from './api-client.js';

/** A Kubernetes object as it stands in a manifest: untyped beyond what every object has. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** A cluster as the client talks to it: requests, and the kinds it serves. */
export interface Cluster {
  readonly api: ApiClient;
  readonly catalog: ResourceCatalog;
}

/** A manifest ready to send: namespace settled by the object's scope, labelled as an ApplySet member. */
export interface ResolvedObject {
  readonly manifest: Manifest;
  readonly type: ResourceType;
  readonly path: string;
}

export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
  /** The plural resource name of the URL path, as discovery reports it. */
  readonly resource: string;
  readonly namespaced: boolean;
}

interface ApiResourceList {
  readonly resources: readonly {
    readonly name: string;
    readonly kind: string;
    readonly namespaced: boolean;
  }[];
}

/** The kind is not served by the cluster: its CRD is missing, or the apiVersion is wrong. */
export class UnknownKindError extends Error {
  public constructor(
    public readonly apiVersion: string,
    public readonly kind: string,
  ) {
    super(
      `the cluster does not serve ${kind} in ${apiVersion}: install its CustomResourceDefinition first, or fix the apiVersion`,
    );
    this.name = 'UnknownKindError';
  }
}

interface ServedKind {
  readonly crd: string;
  readonly apiVersion: string;
  readonly kind: string;
}

/** The kind a CRD defines, in each version it serves. */
function servedKinds(crd: Manifest): ServedKind[] {
  const spec = crd.spec as {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean }[];
  };
  return spec.versions
    .filter((v) => v.served)
    .map((v) => ({ crd: crd.metadata.name, apiVersion: `${spec.group}/${v.name}`, kind: spec.names.kind }));
}

/** CRDs that were Established but whose kinds discovery did not list in time. */
export class KindNotServedError extends Error {
  public constructor(pending: readonly ServedKind[], timeoutMs: number) {
    const kinds = pending.map((p) => `${p.kind} in ${p.apiVersion} (CustomResourceDefinition ${p.crd})`);
    super(
      `the API server's discovery did not serve ${kinds.join(', ')} within ${timeoutMs / 1000}s of the CRD being Established (\`kubectl api-resources\` lists what it serves)`,
    );
    this.name = 'KindNotServedError';
  }
}

/** Maps apiVersion and kind to URL paths through API discovery, asking each group version once. */
export class ResourceCatalog {
  private readonly groupVersions = new Map<string, Promise<Map<string, ResourceType>>>();
  private readonly groups = new Map<string, Promise<string[]>>();

  public constructor(private readonly api: ApiClient) {}

  public async lookup(apiVersion: string, kind: string): Promise<ResourceType> {
    const found = (await this.discover(apiVersion, false)).get(kind);
    if (found) {
      return found;
    }
    // A CRD may have been installed since the group version was first asked about.
    const fresh = (await this.discover(apiVersion, true)).get(kind);
    if (!fresh) {
      throw new UnknownKindError(apiVersion, kind);
    }
    return fresh;
  }

  /**
   * The resource of a group and kind, for objects known only by those (an ApplySet's members): at the
   * group's preferred version when that version serves the kind, else at the first other version that
   * does. A group's versions need not serve the same kinds: monitoring.coreos.com prefers v1, while its
   * AlertmanagerConfig is served at v1alpha1 alone.
   */
  public async lookupGroupKind(group: string, kind: string): Promise<ResourceType> {
    if (group === '') {
      return this.lookup('v1', kind);
    }
    // What discovery already said first; asked afresh only when no version of the group serves the kind
    // (a CRD installed or changed since), so that each prune listing costs no discovery request.
    for (const refresh of [false, true]) {
      for (const groupVersion of await this.groupVersionsOf(group, kind, refresh)) {
        const found = (await this.discover(groupVersion, refresh)).get(kind);
        if (found) {
          return found;
        }
      }
    }
    throw new UnknownKindError(group, kind);
  }

  /** A group's versions, its preferred one first; a group the server does not serve is an unknown kind. */
  private groupVersionsOf(group: string, kind: string, refresh: boolean): Promise<string[]> {
    let versions = this.groups.get(group);
    if (!versions || refresh) {
      versions = this.fetchGroup(group, kind);
      this.groups.set(group, versions);
      versions.catch(() => this.groups.delete(group));
    }
    return versions;
  }

  private async fetchGroup(group: string, kind: string): Promise<string[]> {
    try {
      const found = await this.api.request<{
        preferredVersion: { groupVersion: string };
        versions: { groupVersion: string }[];
      }>({ path: `/apis/${group}` });
      const preferred = found.preferredVersion.groupVersion;
      return [preferred, ...found.versions.map((v) => v.groupVersion).filter((v) => v !== preferred)];
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) {
        throw new UnknownKindError(group, kind);
      }
      throw error;
    }
  }

  /**
   * Resolves once discovery lists the kind of every CRD in each version it serves. The API server marks a
   * CRD Established before its discovery documents list the kind (longest for a large CRD), and until
   * they do, an object of that kind cannot be looked up: waiting for Established alone races.
   */
  public async waitUntilServed(crds: readonly Manifest[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending = crds.flatMap(servedKinds);
    for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
      // One request per group version, however many CRDs share it (Tekton's eight share tekton.dev/v1).
      const versions = [...new Set(pending.map((p) => p.apiVersion))];
      const served = new Map(
        await Promise.all(versions.map(async (v) => [v, await this.discover(v, true)] as const)),
      );
      pending = pending.filter((p) => !served.get(p.apiVersion)!.has(p.kind));
      if (pending.length === 0) {
        return;
      }
      if (Date.now() + pause > deadline) {
        throw new KindNotServedError(pending, timeoutMs);
      }
      await sleep(pause);
    }
  }

  /** The URL path of one object, or of the collection that holds it when `name` is left out. */
  public async pathOf(
    object: Pick<Manifest, 'apiVersion' | 'kind'> & { metadata: { name?: string; namespace?: string } },
  ) {
    const type = await this.lookup(object.apiVersion, object.kind);
    return resourcePath(type, object.metadata.namespace, object.metadata.name);
  }

  private discover(apiVersion: string, refresh: boolean): Promise<Map<string, ResourceType>> {
    let types = this.groupVersions.get(apiVersion);
    if (!types || refresh) {
      types = this.fetchGroupVersion(apiVersion);
      this.groupVersions.set(apiVersion, types);
      types.catch(() => this.groupVersions.delete(apiVersion));
    }
    return types;
  }

  private async fetchGroupVersion(apiVersion: string): Promise<Map<string, ResourceType>> {
    const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    try {
      const list = await this.api.request<ApiResourceList>({ path });
      return new Map(
        list.resources
          .filter((r) => !r.name.includes('/'))
          .map((r) => [r.kind, { apiVersion, kind: r.kind, resource: r.name, namespaced: r.namespaced }]),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) {
        return new Map();
      }
      throw error;
    }
  }
}

export function resourcePath(type: ResourceType, namespace?: string, name?: string): string {
  const base = type.apiVersion.includes('/') ? `/apis/${type.apiVersion}` : `/api/${type.apiVersion}`;
  const scope = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${scope}/${type.resource}${name ? `/${encodeURIComponent(name)}` : ''}`;
}

/** The API group of an apiVersion: '' for the core group. */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

/** How objects are named to people: `Kind/namespace/name`, or `Kind/name` for cluster-scoped ones. */
export function objectRef(object: Pick<Manifest, 'kind' | 'metadata'>): string {
  const { namespace, name } = object.metadata;
  return namespace ? `${object.kind}/${namespace}/${name}` : `${object.kind}/${name}`;
}

/**
 * What names the object (apiVersion, kind, name, namespace) and nothing else: what a wait needs of a
 * manifest, which it judges by the live object; a fleet's whole manifests would only take up memory.
 */
export function identityOf(object: Manifest): Manifest {
  const { name, namespace } = object.metadata;
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: namespace === undefined ? { name } : { name, namespace },
  };
}

/** The identity of an object across API versions: group, kind, namespace and name. */
export function objectKey(object: Pick<Manifest, 'apiVersion' | 'kind' | 'metadata'>): string {
  return `${groupOf(object.apiVersion)}|${objectRef(object)}`;
}
