/**
 * Deployment, as `kubectl rollout status` decides, and kapp's look at its ReplicaSets:
 * - the controller observed the latest generation;
 * - failed when the Progressing condition's reason is ProgressDeadlineExceeded;
 * - failed when its current ReplicaSet cannot create pods (ReplicaFailure: quota, PodSecurity) or one of
 *   that ReplicaSet's pods cannot start (ImagePullBackOff, CrashLoopBackOff, ...), with the reason;
 * - progressing while updatedReplicas < spec.replicas, while old replicas are still terminating
 *   (status.replicas > updatedReplicas), or while availableReplicas < updatedReplicas;
 * - progressing while a HorizontalPodAutoscaler of the Deployment wants more replicas than are
 *   available (autoscaler.ts);
 * - ready otherwise.
 */
import { autoscalerPending, HPA_KIND } from './autoscaler.js';
import { conditionOf, describeCondition, failed, progressing } from './generation.js';
import { podsProblem, POD_KIND, replicaFailure } from './replicaset.js';
import type { LiveObject, OwnedObjects, Readiness, ReadinessChecker } from './types.js';

const REVISION = 'deployment.kubernetes.io/revision';

/** The ReplicaSet of the Deployment's current revision, and its pods: old ones may fail as they go. */
function currentReplicaSet(deployment: LiveObject, owned: OwnedObjects) {
  const revision = deployment.metadata.annotations?.[REVISION];
  const replicaSet = owned
    .of('ReplicaSet')
    .find((rs) => revision !== undefined && rs.metadata.annotations?.[REVISION] === revision);
  const uid = replicaSet?.metadata.uid;
  const pods = owned
    .of('Pod')
    .filter((pod) =>
      ((pod.metadata.ownerReferences as { uid: string }[] | undefined) ?? []).some((o) => o.uid === uid),
    );
  return { replicaSet, pods };
}

/** Why the current ReplicaSet's pods are not ready yet (unscheduled), in parentheses, or ''. */
function why(deployment: LiveObject, owned: OwnedObjects): string {
  const problem = podsProblem(currentReplicaSet(deployment, owned).pods);
  return problem ? ` (${problem.message})` : '';
}

/** Failed when its Progressing condition says ProgressDeadlineExceeded. */
function withinProgressDeadline(deployment: LiveObject): Readiness | undefined {
  const condition = conditionOf(deployment, 'Progressing');
  return condition?.reason === 'ProgressDeadlineExceeded' ? failed(describeCondition(condition)) : undefined;
}

/** Failed when its current ReplicaSet cannot create pods, or one of that ReplicaSet's pods cannot start. */
function currentReplicaSetHealthy(deployment: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const { replicaSet, pods } = currentReplicaSet(deployment, owned);
  const failure = replicaSet && replicaFailure(replicaSet);
  if (failure) {
    return { ...failure, message: `ReplicaSet ${replicaSet.metadata.name}: ${failure.message}` };
  }
  const problem = podsProblem(pods);
  return problem?.state === 'failed' ? problem : undefined;
}

/** Progressing while fewer replicas are updated than wanted. */
function replicasUpdated(deployment: LiveObject): Readiness | undefined {
  const desired = (deployment.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const updated = (deployment.status as { updatedReplicas?: number }).updatedReplicas ?? 0;
  return updated < desired ? progressing(`${updated} of ${desired} replicas updated`) : undefined;
}

/** Progressing while old replicas are still terminating. */
function oldReplicasGone(deployment: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const status = deployment.status as { replicas?: number; updatedReplicas?: number };
  const old = (status.replicas ?? 0) - (status.updatedReplicas ?? 0);
  return old > 0
    ? progressing(`${old} old replicas pending termination${why(deployment, owned)}`)
    : undefined;
}

/** Progressing while fewer updated replicas are available than updated. */
function updatedReplicasAvailable(deployment: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const status = deployment.status as { availableReplicas?: number; updatedReplicas?: number };
  const updated = status.updatedReplicas ?? 0;
  return (status.availableReplicas ?? 0) < updated
    ? progressing(
        `${status.availableReplicas ?? 0} of ${updated} updated replicas available${why(deployment, owned)}`,
      )
    : undefined;
}

export const DEPLOYMENT_READINESS: ReadinessChecker = {
  owns: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet' }, POD_KIND],
  related: [HPA_KIND],
  conditions: [
    withinProgressDeadline,
    currentReplicaSetHealthy,
    replicasUpdated,
    oldReplicasGone,
    updatedReplicasAvailable,
    autoscalerPending,
  ],
};
