/**
 * The live objects a change set compares against, read with one list per kind and namespace rather than
 * one read per object, and never twice: every object of the kind there, not only the ApplySet's members,
 * so that an object another ApplySet owns is seen as such. Where the list is forbidden (a deployer that
 * may get but not list a kind), objects of that kind are read one by one.
 */
import { ApiError } from '../transport/api-client.js';
import { listAll } from '../transport/list-all.js';
import type { Cluster, Manifest, ResolvedObject, ResourceType } from '../transport/resources.js';
import { resourcePath } from '../transport/resources.js';

export class LiveObjects {
  /** By collection path; undefined when the list is forbidden. */
  private readonly lists = new Map<string, Promise<Map<string, Manifest> | undefined>>();

  public constructor(private readonly context: Cluster) {}

  /** The live object `resolved` names, or undefined when there is none. */
  public async get(resolved: ResolvedObject): Promise<Manifest | undefined> {
    const byName = await this.list(resolved.type, resolved.manifest.metadata.namespace);
    return byName ? byName.get(resolved.manifest.metadata.name) : readIfExists(this.context, resolved.path);
  }

  /** Every object of the kind in `namespace` (the whole kind when cluster-scoped); undefined when forbidden. */
  public list(type: ResourceType, namespace?: string): Promise<Map<string, Manifest> | undefined> {
    const path = resourcePath(type, type.namespaced ? namespace : undefined);
    let list = this.lists.get(path);
    if (!list) {
      list = this.fetch(path, type);
      this.lists.set(path, list);
    }
    return list;
  }

  /**
   * Whether `namespace` is known not to exist (from one list of every Namespace), so that nothing lives
   * in it; false when it exists or Namespaces may not be listed.
   */
  public async namespaceAbsent(namespace: string): Promise<boolean> {
    const namespaces = await this.list(await this.context.catalog.lookup('v1', 'Namespace'));
    return namespaces !== undefined && !namespaces.has(namespace);
  }

  /** Whether the kind in `namespace` was listed already (its members need no list of their own). */
  public has(type: ResourceType, namespace?: string): boolean {
    return this.lists.has(resourcePath(type, type.namespaced ? namespace : undefined));
  }

  private async fetch(path: string, type: ResourceType): Promise<Map<string, Manifest> | undefined> {
    const byName = new Map<string, Manifest>();
    try {
      for (const item of await listAll(this.context.api, path)) {
        // Lists leave out apiVersion and kind on their items; a read of one object has them.
        byName.set(item.metadata.name, { ...item, apiVersion: type.apiVersion, kind: type.kind });
      }
    } catch (error) {
      if (error instanceof ApiError && error.code === 403) {
        return undefined;
      }
      throw error;
    }
    return byName;
  }
}

/** The live object at `path`, or undefined when there is none. */
export async function readIfExists(cluster: Cluster, path: string): Promise<Manifest | undefined> {
  try {
    return await cluster.api.request<Manifest>({ path });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) {
      return undefined;
    }
    throw error;
  }
}
