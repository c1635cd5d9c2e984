/**
 * A workload under a HorizontalPodAutoscaler is not ready while the autoscaler wants more replicas than
 * are available: its minReplicas (the HPA controller raises a smaller count to it without any metric)
 * or its last status.desiredReplicas. A Rollout without spec.replicas starts at 1, and the HPA controller
 * scales it on its next sync (every 15 s by default): until then the Rollout alone looks complete.
 */
import { groupOf } from '../../transport/resources.js';
import { progressing } from './generation.js';
import type { LiveObject, OwnedKind, OwnedObjects, Readiness } from './types.js';

export const HPA_KIND: OwnedKind = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' };

interface AutoscalerFields {
  spec?: { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string }; minReplicas?: number };
  status?: { desiredReplicas?: number };
}

function targets(hpa: LiveObject, workload: LiveObject): boolean {
  const ref = (hpa as AutoscalerFields).spec?.scaleTargetRef;
  return (
    ref?.kind === workload.kind &&
    ref.name === workload.metadata.name &&
    groupOf(ref.apiVersion ?? '') === groupOf(workload.apiVersion)
  );
}

/** The HPA controller leaves a target scaled to 0 alone ("scaling is disabled"). */
const scaledToZero = (workload: LiveObject) =>
  (workload.spec as { replicas?: number } | undefined)?.replicas === 0;

/** How many replicas the autoscaler wants: at least its minReplicas (1 by default). */
function wanted(hpa: LiveObject): number {
  const { spec, status } = hpa as AutoscalerFields;
  return Math.max(spec?.minReplicas ?? 1, status?.desiredReplicas ?? 0);
}

/** A readiness condition: progressing while an autoscaler of the workload wants more available replicas. */
export function autoscalerPending(workload: LiveObject, related: OwnedObjects): Readiness | undefined {
  const hpa = related.of(HPA_KIND.kind).find((h) => targets(h, workload));
  if (!hpa || scaledToZero(workload)) {
    return undefined;
  }
  const available = (workload.status as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
  const want = wanted(hpa);
  return available < want
    ? progressing(
        `HorizontalPodAutoscaler ${hpa.metadata.name} wants ${want} replicas, ${available} available`,
      )
    : undefined;
}
