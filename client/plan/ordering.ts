/**
 * The order objects are applied in, kapp-style: what others depend on goes first. Custom resources come
 * last because their definitions (and the controllers that serve them) must be in place; pruning runs in
 * the reverse order.
 */
import { groupOf } from '../transport/resources.js';
import type { Manifest } from '../transport/resources.js';

/**
 * `roles` come before `foundations` because a RoleBinding is checked against its Role (escalation
 * prevention): one applied beside its Role may find it missing.
 */
export const APPLY_STAGES = ['definitions', 'roles', 'foundations', 'workloads', 'custom-resources'] as const;
export type ApplyStage = (typeof APPLY_STAGES)[number];

/** Built-in kinds by stage, as `group/Kind` (core group: `/Kind`). Anything else is a custom resource. */
const BUILT_IN_STAGES: Readonly<Record<string, ApplyStage>> = Object.fromEntries([
  ...['apiextensions.k8s.io/CustomResourceDefinition', '/Namespace'].map((k) => [k, 'definitions']),
  ...['rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/Role'].map((k) => [k, 'roles']),
  ...[
    '/ServiceAccount',
    'rbac.authorization.k8s.io/ClusterRoleBinding',
    'rbac.authorization.k8s.io/RoleBinding',
    '/ConfigMap',
    '/Secret',
    '/Service',
    '/PersistentVolume',
    '/PersistentVolumeClaim',
    '/ResourceQuota',
    '/LimitRange',
    'storage.k8s.io/StorageClass',
    'scheduling.k8s.io/PriorityClass',
    'networking.k8s.io/NetworkPolicy',
    'networking.k8s.io/Ingress',
    'networking.k8s.io/IngressClass',
    'policy/PodDisruptionBudget',
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
    'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  ].map((k) => [k, 'foundations']),
  ...[
    'apps/Deployment',
    'apps/StatefulSet',
    'apps/DaemonSet',
    'apps/ReplicaSet',
    'batch/Job',
    'batch/CronJob',
    '/Pod',
    'autoscaling/HorizontalPodAutoscaler',
  ].map((k) => [k, 'workloads']),
]) as Record<string, ApplyStage>;

export function stageOf(object: Pick<Manifest, 'apiVersion' | 'kind'>): ApplyStage {
  return BUILT_IN_STAGES[`${groupOf(object.apiVersion)}/${object.kind}`] ?? 'custom-resources';
}

/** The objects of each stage, in stage order, keeping the order of the input within a stage. */
export function groupByStage<T extends Pick<Manifest, 'apiVersion' | 'kind'>>(
  objects: readonly T[],
): { readonly stage: ApplyStage; readonly objects: readonly T[] }[] {
  return APPLY_STAGES.map((stage) => ({
    stage,
    objects: objects.filter((o) => stageOf(o) === stage),
  })).filter((group) => group.objects.length > 0);
}
