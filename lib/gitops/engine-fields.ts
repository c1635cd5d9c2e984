/**
 * What a GitOps engine needs to know about the objects the project writes: how to tell whether an Argo
 * Rollout or a Tekton run is healthy (Flux's kstatus knows neither), and which fields their controllers
 * own, so that the engine's next reconciliation leaves them as the controllers set them.
 */
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

/**
 * Whether the controller has seen the latest Deployment a Rollout's workloadRef names: a new pod template
 * there leaves the Rollout's generation as it was, so the controller records the Deployment's generation
 * in an annotation and, once it acted on it, in status (as Argo Rollouts' own status check compares).
 */
const WORKLOAD_OBSERVED =
  "(!has(metadata.annotations) || !('rollout.argoproj.io/workload-generation' in metadata.annotations) || (has(status.workloadObservedGeneration) && status.workloadObservedGeneration == metadata.annotations['rollout.argoproj.io/workload-generation']))";

/**
 * Flux `healthCheckExprs` (CEL over the live object): a Rollout is current once its controller has seen
 * the latest spec (and Deployment) and reports Healthy, failed once Degraded (an aborted canary); a
 * PipelineRun or TaskRun by its Succeeded condition.
 */
export const FLUX_HEALTH_CHECK_EXPRS = [
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    inProgress: `!has(status.phase) || status.observedGeneration != string(metadata.generation) || status.phase in ['Progressing', 'Paused'] || !${WORKLOAD_OBSERVED}`,
    failed: "has(status.phase) && status.phase == 'Degraded'",
    current: `has(status.phase) && status.observedGeneration == string(metadata.generation) && status.phase == 'Healthy' && ${WORKLOAD_OBSERVED}`,
  },
  ...['PipelineRun', 'TaskRun'].map((kind) => ({
    apiVersion: 'tekton.dev/v1',
    kind,
    failed:
      "has(status.conditions) && status.conditions.exists(c, c.type == 'Succeeded' && c.status == 'False')",
    current:
      "has(status.conditions) && status.conditions.exists(c, c.type == 'Succeeded' && c.status == 'True')",
  })),
];

/** Flux's per-object apply policy: `IfNotPresent` creates the object and never changes it again. */
export const FLUX_SSA_ANNOTATION = 'kustomize.toolkit.fluxcd.io/ssa';

/** The Services a Rollout's strategy switches between versions, by namespace and name. */
function switchedServices(scope: Construct): Set<string> {
  const names = new Set<string>();
  for (const rollout of scope.node.findAll().filter(isRollout)) {
    const json = rollout.toJson() as { spec?: { strategy?: Record<string, Record<string, unknown>> } };
    const { canary = {}, blueGreen = {} } = json.spec?.strategy ?? {};
    for (const name of [
      canary.stableService,
      canary.canaryService,
      blueGreen.activeService,
      blueGreen.previewService,
    ]) {
      if (typeof name === 'string') {
        names.add(`${rollout.metadata.namespace ?? ''}/${name}`);
      }
    }
  }
  return names;
}

function isRollout(c: unknown): c is ApiObject {
  return c instanceof ApiObject && c.kind === 'Rollout' && c.apiVersion.startsWith('argoproj.io/');
}

/**
 * Marks the Services a Rollout switches with Flux's `IfNotPresent`: Argo Rollouts adds the pod template
 * hash to their selector, an atomic map, which Flux's forced apply would otherwise take back at every
 * reconciliation, sending traffic to every version at once.
 */
export function leaveSwitchedServicesToArgoRollouts(scope: Construct): void {
  const switched = switchedServices(scope);
  for (const service of scope.node.findAll()) {
    if (
      service instanceof ApiObject &&
      service.kind === 'Service' &&
      service.apiVersion === 'v1' &&
      switched.has(`${service.metadata.namespace ?? ''}/${service.name}`)
    ) {
      service.metadata.addAnnotation(FLUX_SSA_ANNOTATION, 'IfNotPresent');
    }
  }
}

/**
 * Argo CD `ignoreDifferences` for the fields controllers own: what Argo Rollouts writes (Service
 * selectors, a Rollout's scale) and the replicas an HPA sets; with `RespectIgnoreDifferences` a sync
 * leaves them too.
 */
export const ARGO_CD_IGNORE_DIFFERENCES = [
  { group: '*', kind: '*', managedFieldsManagers: ['rollouts-controller'] },
  { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
  { group: 'argoproj.io', kind: 'Rollout', jsonPointers: ['/spec/replicas'] },
];
