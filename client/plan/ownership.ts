/**
 * Whose object it is: an object another ApplySet owns, or a GitOps engine manages, or that cdk8s-devops
 * applied from another manifest, is a conflict in the change set rather than taken over silently.
 */
import type { ApplyContext } from './apply-context.js';
import { MANIFEST_DIGEST } from './apply-context.js';
import { APPLYSET_LABELS } from './applyset.js';
import { engineOwner } from './engine-managed.js';
import type { Manifest } from '../transport/resources.js';

/** The ApplySet id of another ApplySet that owns `live`, or undefined. */
export function otherOwner(context: ApplyContext, live: Manifest): string | undefined {
  const owner = live.metadata.labels?.[APPLYSET_LABELS.partOf];
  return owner && owner !== context.applySet.id ? owner : undefined;
}

/**
 * Names another ApplySet by its parent, looked for where parents usually are (beside the object, or
 * beside ours); else by its id, with the command that finds its parent.
 */
async function describeApplySet(
  context: ApplyContext,
  id: string,
  namespace: string | undefined,
): Promise<string> {
  for (const ns of new Set([namespace, context.applySet.namespace].filter((n): n is string => !!n))) {
    const parents = await context.api
      .request<{ items: Manifest[] }>({
        path: `/api/v1/namespaces/${encodeURIComponent(ns)}/secrets`,
        query: { labelSelector: `${APPLYSET_LABELS.id}=${id}` },
      })
      .catch(() => ({ items: [] as Manifest[] }));
    if (parents.items.length > 0) {
      return `ApplySet ${parents.items[0].metadata.name} (parent Secret ${ns}/${parents.items[0].metadata.name})`;
    }
  }
  return `another ApplySet (${APPLYSET_LABELS.partOf}=${id}; find its parent with \`kubectl get secrets -A -l ${APPLYSET_LABELS.id}=${id}\`)`;
}

/**
 * Why applying `desired` would take `live` from another ApplySet, or undefined: it carries another
 * ApplySet's label, or none while its digest says cdk8s-devops applied it from another manifest (someone
 * removed the label by hand: it may belong to any ApplySet). Objects without either are adopted, as kubectl does.
 */
export async function ownershipConflict(
  context: ApplyContext,
  live: Manifest,
  desired: Manifest,
): Promise<string | undefined> {
  const engine = live.metadata.labels?.[APPLYSET_LABELS.partOf] ? undefined : engineOwner(live);
  if (engine) {
    return `it is managed by ${engine}: publish the change to the GitOps repository instead (cdk8s-devops publish), see its drift with diff --gitops, or rerun with --adopt to take it over`;
  }
  const owner = otherOwner(context, live);
  if (owner) {
    return `it belongs to ${await describeApplySet(context, owner, live.metadata.namespace)}, not to ApplySet ${context.applySet.name}; rerun with --adopt to take it over`;
  }
  const digest = live.metadata.annotations?.[MANIFEST_DIGEST];
  if (
    !live.metadata.labels?.[APPLYSET_LABELS.partOf] &&
    digest &&
    digest !== desired.metadata.annotations?.[MANIFEST_DIGEST]
  ) {
    return `it has no ${APPLYSET_LABELS.partOf} label, yet cdk8s-devops applied it from another manifest (its ${MANIFEST_DIGEST} differs): the label was removed by hand, and it may belong to another ApplySet; rerun with --adopt to take it over`;
  }
  return undefined;
}
