/** Which checker decides the readiness of which kind, by API group and kind. */
import { groupOf } from '../manifests.js';
import { crdReadiness } from './crd.js';
import { cronJobReadiness } from './cronjob.js';
import { daemonSetReadiness } from './daemonset.js';
import { deploymentReadiness } from './deployment.js';
import { jobReadiness } from './job.js';
import { podReadiness } from './pod.js';
import { persistentVolumeClaimReadiness } from './pvc.js';
import { readyConditionReadiness } from './ready-condition.js';
import { replicaSetReadiness } from './replicaset.js';
import { ROLLOUT_RELATED_KINDS, rolloutReadiness } from './rollout.js';
import { serviceReadiness } from './service.js';
import { statefulSetReadiness } from './statefulset.js';
import { tektonRunReadiness } from './tekton.js';
import type { KindRef, LiveObject, Readiness, ReadinessChecker, RelatedObjects } from './types.js';

const CHECKERS: ReadonlyMap<string, ReadinessChecker> = new Map([
  ['apps/Deployment', deploymentReadiness],
  ['apps/StatefulSet', statefulSetReadiness],
  ['apps/DaemonSet', daemonSetReadiness],
  ['apps/ReplicaSet', replicaSetReadiness],
  ['batch/Job', jobReadiness],
  ['batch/CronJob', cronJobReadiness],
  ['/Pod', podReadiness],
  ['/Service', serviceReadiness],
  ['/PersistentVolumeClaim', persistentVolumeClaimReadiness],
  ['apiextensions.k8s.io/CustomResourceDefinition', crdReadiness],
  ['argoproj.io/Rollout', rolloutReadiness],
  ['tekton.dev/PipelineRun', tektonRunReadiness],
  ['tekton.dev/TaskRun', tektonRunReadiness],
]);

export function checkerFor(apiVersion: string, kind: string): ReadinessChecker {
  return CHECKERS.get(`${groupOf(apiVersion)}/${kind}`) ?? readyConditionReadiness;
}

/** The kinds, in the object's namespace, whose objects a kind's checker looks at besides the object. */
const RELATED: ReadonlyMap<string, readonly KindRef[]> = new Map([
  ['argoproj.io/Rollout', ROLLOUT_RELATED_KINDS],
]);

export function relatedKindsOf(apiVersion: string, kind: string): readonly KindRef[] {
  return RELATED.get(`${groupOf(apiVersion)}/${kind}`) ?? [];
}

export function readinessOf(object: LiveObject, related?: RelatedObjects): Readiness {
  return checkerFor(object.apiVersion, object.kind)(object, related);
}
