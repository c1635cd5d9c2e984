/**
 * ApplySets (KEP-3659), as kubectl implements them: a parent Secret labelled with the set's id, whose
 * annotations list the group kinds and namespaces of its members; members carry the `part-of` label. Any
 * ApplySet-aware tool (`kubectl apply --prune --applyset`) can therefore see and prune what we applied.
 */
import { createHash } from 'node:crypto';
import type { ApiClient } from '../transport/api-client.js';
import { ApiError, CONTENT_TYPES } from '../transport/api-client.js';
import type { LiveObjects } from './live-objects.js';
import { groupOf } from '../transport/resources.js';
import type { Manifest, ResourceCatalog, ResourceType } from '../transport/resources.js';
import { resourcePath, UnknownKindError } from '../transport/resources.js';

export const APPLYSET_LABELS = {
  id: 'applyset.kubernetes.io/id',
  partOf: 'applyset.kubernetes.io/part-of',
} as const;

export const APPLYSET_ANNOTATIONS = {
  tooling: 'applyset.kubernetes.io/tooling',
  groupKinds: 'applyset.kubernetes.io/contains-group-kinds',
  namespaces: 'applyset.kubernetes.io/additional-namespaces',
} as const;

export const TOOLING = 'cdk8s-devops/v1';

/** kubectl's ComputeApplysetID: `applyset-` + base64url(sha256(name.namespace.kind.group)) + `-v1`. */
export function applySetId(parent: { name: string; namespace: string; kind: string; group: string }): string {
  const unencoded = [parent.name, parent.namespace, parent.kind, parent.group].join('.');
  return `applyset-${createHash('sha256').update(unencoded).digest('base64url')}-v1`;
}

/** `Kind.group`, or `Kind` for the core group, as kubectl writes group kinds in the parent's annotation. */
export function groupKindOf(object: Pick<Manifest, 'apiVersion' | 'kind'>): string {
  const group = groupOf(object.apiVersion);
  return group ? `${object.kind}.${group}` : object.kind;
}

/** What the parent records: the group kinds and namespaces its members may be in. */
export interface ApplySetScope {
  /** Sorted `Kind.group` names. */
  readonly groupKinds: readonly string[];
  /** Sorted namespaces of members other than the parent's own. */
  readonly namespaces: readonly string[];
}

export function scopeOf(objects: readonly Manifest[], parentNamespace: string): ApplySetScope {
  return {
    groupKinds: [...new Set(objects.map(groupKindOf))].sort(),
    namespaces: [
      ...new Set(
        objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n && n !== parentNamespace),
      ),
    ].sort(),
  };
}

export function unionScope(a: ApplySetScope, b: ApplySetScope): ApplySetScope {
  return {
    groupKinds: [...new Set([...a.groupKinds, ...b.groupKinds])].sort(),
    namespaces: [...new Set([...a.namespaces, ...b.namespaces])].sort(),
  };
}

const splitList = (value: string | undefined) => (value ? value.split(',').filter(Boolean) : []);

export interface ApplySetOptions {
  /** The name of the parent Secret. */
  readonly name: string;
  /** The namespace of the parent Secret, and of the revisions. */
  readonly namespace: string;
  /** The field manager that owns the parent. */
  readonly fieldManager: string;
}

export class ApplySet {
  public readonly id: string;
  /** The parent's resourceVersion as last read or written: every write is conditioned on it. */
  private parentVersion?: string;

  public constructor(
    private readonly api: ApiClient,
    private readonly catalog: ResourceCatalog,
    public readonly options: ApplySetOptions,
  ) {
    this.id = applySetId({ name: options.name, namespace: options.namespace, kind: 'Secret', group: '' });
  }

  public get name(): string {
    return this.options.name;
  }

  public get namespace(): string {
    return this.options.namespace;
  }

  private get parentPath(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/secrets/${encodeURIComponent(this.name)}`;
  }

  /** The scope the parent records, or undefined when nothing was ever applied. */
  public async readScope(): Promise<ApplySetScope | undefined> {
    try {
      const parent = await this.api.request<Manifest>({ path: this.parentPath });
      this.parentVersion = parent.metadata.resourceVersion as string;
      if (parent.metadata.labels?.[APPLYSET_LABELS.id] !== this.id) {
        throw new Error(
          `Secret/${this.namespace}/${this.name} exists but is not the parent of this ApplySet (label ${APPLYSET_LABELS.id} is not ${this.id}); choose another --applyset name`,
        );
      }
      return {
        groupKinds: splitList(parent.metadata.annotations?.[APPLYSET_ANNOTATIONS.groupKinds]),
        namespaces: splitList(parent.metadata.annotations?.[APPLYSET_ANNOTATIONS.namespaces]),
      };
    } catch (error) {
      if (error instanceof ApiError && error.code === 404) {
        return undefined;
      }
      throw error;
    }
  }

  /**
   * Creates or updates the parent (and its namespace if missing) so that it records `scope`; a parent
   * changed by someone else since it was read is a conflict, never overwritten.
   */
  public async writeScope(scope: ApplySetScope): Promise<void> {
    try {
      await this.writeParent(scope);
    } catch (error) {
      // The namespace is missing (the lock, taken in it, made sure of it for a release): created, and written again.
      if (!(error instanceof ApiError && error.code === 404)) {
        throw error;
      }
      await this.createNamespace();
      await this.writeParent(scope);
    }
  }

  private async writeParent(scope: ApplySetScope): Promise<void> {
    const written = await this.api.request<Manifest>({
      path: this.parentPath,
      method: 'PATCH',
      contentType: CONTENT_TYPES.apply,
      query: { fieldManager: this.options.fieldManager, force: true },
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: this.name,
          namespace: this.namespace,
          resourceVersion: this.parentVersion,
          labels: { [APPLYSET_LABELS.id]: this.id },
          annotations: {
            [APPLYSET_ANNOTATIONS.tooling]: TOOLING,
            [APPLYSET_ANNOTATIONS.groupKinds]: scope.groupKinds.join(','),
            [APPLYSET_ANNOTATIONS.namespaces]: scope.namespaces.join(','),
          },
        },
        type: 'cdk8s-devops.io/applyset',
      },
    });
    this.parentVersion = written.metadata.resourceVersion as string;
  }

  /** Deletes the parent (for `delete`, once every member is gone). */
  public async deleteParent(): Promise<void> {
    await this.api.request({ path: this.parentPath, method: 'DELETE' }).catch((error: unknown) => {
      if (!(error instanceof ApiError && error.code === 404)) {
        throw error;
      }
    });
  }

  /**
   * Every live object labelled as a member, looked up in each group kind and namespace of `scope`; where
   * `known` listed a kind and namespace already, its members are taken from that list.
   */
  public async listMembers(scope: ApplySetScope, known?: LiveObjects): Promise<Manifest[]> {
    const namespaces = [this.namespace, ...scope.namespaces];
    const lists = await Promise.all(
      scope.groupKinds.map(async (groupKind) => {
        const [kind, ...group] = groupKind.split('.');
        let type;
        try {
          type = await this.catalog.lookupGroupKind(group.join('.'), kind);
        } catch (error) {
          // The kind is gone from the cluster (its CRD was removed), and its objects with it; any other
          // failure stops the command, rather than leave the kind's members out of a prune unsaid.
          if (error instanceof UnknownKindError) {
            return [];
          }
          throw new Error(
            `looking up ${groupKind}, a kind of ApplySet ${this.name}'s members, failed: ${(error as Error).message}; nothing was changed. Its API must answer before the app's members can be pruned or deleted (\`kubectl api-resources\` shows which API fails); \`apply --no-prune\` applies without pruning`,
          );
        }
        const listed = type.namespaced ? namespaces : [undefined];
        const items = await Promise.all(
          listed.map(async (namespace) => {
            const all = known?.has(type, namespace) ? await known.list(type, namespace) : undefined;
            if (all) {
              return [...all.values()].filter((o) => o.metadata.labels?.[APPLYSET_LABELS.partOf] === this.id);
            }
            const list = await this.listLabelled(type, namespace);
            // Lists leave out apiVersion and kind on their items.
            return list.items.map((item) => ({ ...item, apiVersion: type.apiVersion, kind: type.kind }));
          }),
        );
        return items.flat();
      }),
    );
    return lists.flat();
  }

  /** The members of one kind in one namespace; a 403 says which permission finding them needs. */
  private async listLabelled(type: ResourceType, namespace?: string): Promise<{ items: Manifest[] }> {
    try {
      return await this.api.request<{ items: Manifest[] }>({
        path: resourcePath(type, namespace),
        query: { labelSelector: `${APPLYSET_LABELS.partOf}=${this.id}` },
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === 403) {
        const group = groupOf(type.apiVersion);
        throw new Error(
          `forbidden: ${error.message}; finding the members of ApplySet ${this.name} to prune needs list on ${type.resource}${group ? ` (${group})` : ''} ${namespace ? `in namespace ${namespace}` : 'cluster-wide'}: ask for RBAC permission (see "The deployer's permissions" in docs/security.md)`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /**
   * Creates the parent's namespace (the lock and the parent live there), which the server said is
   * missing: a write to it answered 404.
   */
  public async createNamespace(): Promise<void> {
    await this.api.request({
      path: `/api/v1/namespaces/${encodeURIComponent(this.namespace)}`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.apply,
      query: { fieldManager: this.options.fieldManager },
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: this.namespace } },
    });
  }
}
