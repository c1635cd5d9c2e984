/**
 * Which kinds the client may recreate when an update changes an immutable field, and how each is deleted:
 * workloads, whose pods it can keep (Orphan) or run again (a Job). The change set plans by it, the apply
 * executes by it, and an error's hint offers it.
 */
import { groupOf } from './transport/resources.js';
import type { Manifest } from './transport/resources.js';

/** How each kind is deleted for recreation: keeping its pods, or with them. */
const PROPAGATION: Readonly<Record<string, 'Orphan' | 'Background'>> = {
  'apps/Deployment': 'Orphan',
  'apps/ReplicaSet': 'Orphan',
  'apps/DaemonSet': 'Orphan',
  'apps/StatefulSet': 'Orphan',
  'batch/Job': 'Background',
};

/** How the client deletes this kind for recreation; undefined for kinds it never recreates. */
export const policyOf = (object: Pick<Manifest, 'apiVersion' | 'kind'>) =>
  PROPAGATION[`${groupOf(object.apiVersion)}/${object.kind}`];

/** Whether the client may recreate this kind of object (workloads, whose pods it can keep or rerun). */
export function isRecreatable(object: Pick<Manifest, 'apiVersion' | 'kind'>): boolean {
  return policyOf(object) !== undefined;
}
