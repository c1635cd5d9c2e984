/** What applying needs: the cluster, the ApplySet the objects join, and how objects are sent there. */
import { CONTENT_TYPES } from '../transport/api-client.js';
import { canonicalDigest } from './canonical-json.js';
import { withoutControllerFields } from './controller-fields.js';
import type { ApplySet } from './applyset.js';
import { APPLYSET_LABELS } from './applyset.js';
import { readIfExists } from './live-objects.js';
import type { Cluster, Manifest, ResolvedObject } from '../transport/resources.js';
import { resourcePath } from '../transport/resources.js';

export const FIELD_MANAGER = 'cdk8s-devops';

/**
 * The digest of the manifest as it was applied, kept on the object: an object that carries another digest
 * was applied from another manifest, and the change set asks the server about it (see owned-fields.ts).
 */
export const MANIFEST_DIGEST = 'cdk8s-devops.io/manifest-digest';

export interface ApplyContext extends Cluster {
  readonly applySet: ApplySet;
  /** The field manager of every server-side apply. */
  readonly fieldManager: string;
  /** The namespace of namespaced objects whose manifest names none. */
  readonly defaultNamespace: string;
}

/**
 * Looks the kind up (throws UnknownKindError when the cluster does not serve it), settles the namespace,
 * labels the object as a member and annotates it with the digest of all that.
 */
export async function resolveObject(context: ApplyContext, manifest: Manifest): Promise<ResolvedObject> {
  const type = await context.catalog.lookup(manifest.apiVersion, manifest.kind);
  const { namespace, annotations, ...metadata } = manifest.metadata;
  // A manifest read back from a revision carries the digest it was applied with.
  const { [MANIFEST_DIGEST]: _applied, ...written } = annotations ?? {};
  const settled: Manifest = {
    ...manifest,
    metadata: {
      ...metadata,
      ...(type.namespaced ? { namespace: namespace ?? context.defaultNamespace } : {}),
      ...(Object.keys(written).length > 0 ? { annotations: written } : {}),
      labels: { ...manifest.metadata.labels, [APPLYSET_LABELS.partOf]: context.applySet.id },
    },
  };
  const digest = canonicalDigest(settled).slice(0, 32);
  const annotated = {
    ...settled,
    metadata: { ...settled.metadata, annotations: { ...written, [MANIFEST_DIGEST]: digest } },
  };
  return {
    manifest: annotated,
    type,
    path: resourcePath(type, annotated.metadata.namespace, annotated.metadata.name),
  };
}

export interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly apiVersion?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly time?: string;
  readonly fieldsV1?: unknown;
}

/** The managedFields entry of `fieldManager`'s applies to the object itself (not to a subresource). */
export function ownApplyEntry(object: Manifest, fieldManager: string): ManagedFieldsEntry | undefined {
  const entries = (object.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.find((e) => e.manager === fieldManager && e.operation === 'Apply' && !e.subresource);
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
  /**
   * The live object when the caller has it (null: known not to exist), so that a Service is not read again.
   *
   * @default - read when needed
   */
  readonly live?: Manifest | null;
}

/**
 * One server-side apply; answers with the object as the server stored (or would store) it. A Service is
 * read first: fields its controller took over are left out (see controller-fields.ts).
 */
export async function serverSideApply(
  context: ApplyContext,
  object: ResolvedObject,
  options: ApplyRequestOptions = {},
): Promise<Manifest> {
  const body =
    object.manifest.apiVersion === 'v1' && object.manifest.kind === 'Service'
      ? withoutControllerFields(
          object.manifest,
          options.live === undefined ? await readIfExists(context, object.path) : (options.live ?? undefined),
        )
      : object.manifest;
  return context.api.request<Manifest>({
    path: object.path,
    method: 'PATCH',
    contentType: CONTENT_TYPES.apply,
    query: {
      fieldManager: context.fieldManager,
      force: options.force ?? false,
      dryRun: options.dryRun ? 'All' : undefined,
    },
    body,
  });
}
