/** Where a stack is applied: the cluster, its ApplySet, and how objects are sent there. */
import type { ApiClient } from './api-client.js';
import { ApiError, CONTENT_TYPES } from './api-client.js';
import { withoutControllerFields } from './controller-fields.js';
import type { ApplySet } from './applyset.js';
import { APPLYSET_LABELS } from './applyset.js';
import type { Manifest, ResourceCatalog, ResourceType } from './resources.js';
import { resourcePath } from './resources.js';

export const FIELD_MANAGER = 'cdk8s-devops';

export interface Target {
  readonly api: ApiClient;
  readonly catalog: ResourceCatalog;
  readonly applySet: ApplySet;
  /** The field manager of every server-side apply. */
  readonly fieldManager: string;
  /** The namespace of namespaced objects whose manifest names none. */
  readonly defaultNamespace: string;
}

/** A manifest ready to send: namespace settled by the object's scope, labelled as an ApplySet member. */
export interface ResolvedObject {
  readonly manifest: Manifest;
  readonly type: ResourceType;
  readonly path: string;
}

/** Looks the kind up (throws UnknownKindError when the cluster does not serve it) and settles the namespace. */
export async function resolveObject(target: Target, manifest: Manifest): Promise<ResolvedObject> {
  const type = await target.catalog.lookup(manifest.apiVersion, manifest.kind);
  const { namespace, ...metadata } = manifest.metadata;
  const settled: Manifest = {
    ...manifest,
    metadata: {
      ...metadata,
      ...(type.namespaced ? { namespace: namespace ?? target.defaultNamespace } : {}),
      labels: { ...manifest.metadata.labels, [APPLYSET_LABELS.partOf]: target.applySet.id },
    },
  };
  return {
    manifest: settled,
    type,
    path: resourcePath(type, settled.metadata.namespace, settled.metadata.name),
  };
}

export interface ApplyRequestOptions {
  /** @default false */
  readonly dryRun?: boolean;
  /**
   * Take over fields another field manager owns instead of failing with a conflict.
   *
   * @default false
   */
  readonly force?: boolean;
}

/**
 * One server-side apply; answers with the object as the server stored (or would store) it. A Service is
 * read first: fields its controller took over are left out (see controller-fields.ts).
 */
export async function serverSideApply(
  target: Target,
  object: ResolvedObject,
  options: ApplyRequestOptions = {},
): Promise<Manifest> {
  const body =
    object.manifest.apiVersion === 'v1' && object.manifest.kind === 'Service'
      ? withoutControllerFields(object.manifest, await readIfExists(target, object.path))
      : object.manifest;
  return target.api.request<Manifest>({
    path: object.path,
    method: 'PATCH',
    contentType: CONTENT_TYPES.apply,
    query: {
      fieldManager: target.fieldManager,
      force: options.force ?? false,
      dryRun: options.dryRun ? 'All' : undefined,
    },
    body,
  });
}

/** The live object at `path`, or undefined when there is none. */
export async function readIfExists(target: Target, path: string): Promise<Manifest | undefined> {
  try {
    return await target.api.request<Manifest>({ path });
  } catch (error) {
    if (error instanceof ApiError && error.code === 404) {
      return undefined;
    }
    throw error;
  }
}
