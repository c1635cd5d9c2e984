/**
 * Argo Rollout, as the Argo Rollouts kubectl plugin computes its status (info.RolloutStatusString), with
 * what the plugin sees besides the Rollout (its Deployment, AnalysisTemplates, AnalysisRuns, ReplicaSets
 * and their Pods): the conditions of ROLLOUT_READINESS, in order, each saying what it checks (the
 * controller observed the Rollout and its Deployment, the spec is valid, nothing aborted or failed to
 * start, not paused, replicas updated and available, the strategy's promotion done, the autoscaler
 * satisfied), and Healthy (ready) otherwise. Messages name the current step and the AnalysisRuns running
 * for the new version.
 */
import { autoscalerPending, HPA_KIND } from './autoscaler.js';
import { describeCondition, generationPending } from './generation.js';
import { podsProblem, POD_KIND, replicaFailure } from './replicaset.js';
import type { Condition, LiveObject, OwnedObjects, Readiness, ReadinessChecker } from './types.js';

interface AnalysisRef {
  templates?: { templateName?: string }[];
}

interface RolloutSpec {
  replicas?: number;
  paused?: boolean;
  workloadRef?: { kind?: string; name?: string };
  strategy?: {
    blueGreen?: { prePromotionAnalysis?: AnalysisRef; postPromotionAnalysis?: AnalysisRef };
    canary?: { analysis?: AnalysisRef; steps?: { analysis?: AnalysisRef }[] };
  };
}

interface RolloutStatus {
  observedGeneration?: string | number;
  workloadObservedGeneration?: string;
  pauseConditions?: { reason?: string }[];
  replicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentPodHash?: string;
  currentStepIndex?: number;
  stableRS?: string;
  message?: string;
  blueGreen?: { activeSelector?: string };
}

interface MetricResult {
  name: string;
  phase?: string;
  message?: string;
  measurements?: { phase?: string; value?: string; message?: string }[];
}

interface AnalysisRunFields {
  spec?: { metrics?: { name: string; failureCondition?: string; successCondition?: string }[] };
  status?: { phase?: string; message?: string; metricResults?: MetricResult[] };
}

/** How long a written Rollout may go unobserved before no controller is taken to be running. */
export const ROLLOUT_CONTROLLER_GRACE_MS = 30_000;

/** The label that assigns a Rollout to the controller started with that `--instance-id`. */
const INSTANCE_LABEL = 'argo-rollouts.argoproj.io/controller-instance-id';

const HASH_LABEL = 'rollouts-pod-template-hash';

const progressing = (message: string): Readiness => ({ state: 'progressing', phase: 'Progressing', message });
const specOf = (rollout: LiveObject) => (rollout.spec ?? {}) as RolloutSpec;
const statusOf = (rollout: LiveObject) => (rollout.status ?? {}) as RolloutStatus;

export const ROLLOUT_READINESS: ReadinessChecker = {
  // Checked by the first condition, which also notices when no controller observes anything.
  observedGeneration: 'ignored',
  owns: [
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' },
    { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
    POD_KIND,
  ],
  related: [
    { apiVersion: 'apps/v1', kind: 'Deployment' },
    { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate' },
    HPA_KIND,
  ],
  conditions: [
    generationObserved,
    workloadGenerationObserved,
    specValid,
    notAborted,
    currentReplicaSetHealthy,
    notPaused,
    replicasUpdatedAndAvailable,
    blueGreenPromoted,
    canaryStepsComplete,
    autoscalerSatisfied,
    healthy,
  ],
};

/**
 * Progressing while status.observedGeneration is behind metadata.generation; failed with "no Argo Rollouts
 * controller is running" once that has lasted 30 s since the Rollout was last written (a controller
 * observes a change within a second; with an instance label, none of that instance).
 */
function generationObserved(rollout: LiveObject): Readiness | undefined {
  if (!generationPending(rollout, 'required')) {
    return undefined;
  }
  const written = lastWritten(rollout);
  if (written === undefined) {
    return progressing('waiting for rollout spec update to be observed');
  }
  const unobservedMs = Date.now() - written;
  if (unobservedMs < ROLLOUT_CONTROLLER_GRACE_MS) {
    return {
      ...progressing('waiting for rollout spec update to be observed'),
      recheckAfterMs: ROLLOUT_CONTROLLER_GRACE_MS - unobservedMs,
    };
  }
  const instance = rollout.metadata.labels?.[INSTANCE_LABEL];
  const observed = rollout.status?.observedGeneration;
  return {
    state: 'failed',
    message: `no Argo Rollouts controller${instance ? ` of instance ${instance} (label ${INSTANCE_LABEL})` : ''} is running: generation ${String(rollout.metadata.generation)} was written ${Math.round(unobservedMs / 1000)} s ago and ${observed === undefined ? 'no controller has ever observed the Rollout' : `the controller has seen only generation ${String(observed)}`}; install or start the controller (https://argo-rollouts.readthedocs.io/en/stable/installation/)`,
  };
}

/**
 * With a workloadRef, progressing while status.workloadObservedGeneration is behind the Deployment's
 * generation: a change to the pod template alone leaves the Rollout's generation as it was.
 */
function workloadGenerationObserved(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const ref = specOf(rollout).workloadRef;
  if (ref?.kind !== 'Deployment' || !ref.name) {
    return undefined;
  }
  const deployment = owned.of('Deployment').find((d) => d.metadata.name === ref.name);
  const generation = deployment?.metadata.generation as number | undefined;
  return generation !== undefined && statusOf(rollout).workloadObservedGeneration !== String(generation)
    ? progressing(`waiting for the controller to observe Deployment ${ref.name} generation ${generation}`)
    : undefined;
}

/**
 * Degraded (failed) when a condition is InvalidSpec, with the controller's message, unless an
 * AnalysisTemplate the Rollout refers to changed after the controller wrote it, less than a minute ago (a
 * template change does not bump the Rollout's generation either): then progressing until the controller
 * validates again.
 */
function specValid(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const invalid = (rollout.status?.conditions ?? []).find(
    (c) => c.type === 'InvalidSpec' && c.status === 'True',
  );
  if (!invalid) {
    return undefined;
  }
  const changed = templateChangedSince(specOf(rollout), invalid, owned);
  return changed
    ? progressing(`waiting for the controller to validate AnalysisTemplate ${changed} again`)
    : { state: 'failed', phase: 'Degraded', message: describeCondition(invalid) };
}

/**
 * Degraded when a condition has the reason RolloutAborted or ProgressDeadlineExceeded, with each failed
 * AnalysisRun's metric, measured value, limit and the measurement's message.
 */
function notAborted(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const stopped = (rollout.status?.conditions ?? []).find(
    (c) => c.reason === 'RolloutAborted' || c.reason === 'ProgressDeadlineExceeded',
  );
  if (!stopped) {
    return undefined;
  }
  const failed = currentRuns(rollout, owned).filter((run) =>
    ['Failed', 'Error', 'Inconclusive'].includes(phaseOf(run)),
  );
  return {
    state: 'failed',
    phase: 'Degraded',
    message: [describeCondition(stopped), ...failed.map(describeRun)].join('; '),
  };
}

/**
 * Degraded when the ReplicaSet of the current pod template cannot create pods (FailedCreate: quota,
 * PodSecurity) or one of its pods cannot start (ImagePullBackOff, CrashLoopBackOff, ...), as a Deployment.
 */
function currentReplicaSetHealthy(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const hash = statusOf(rollout).currentPodHash;
  const replicaSet = owned.of('ReplicaSet').find((rs) => hash && rs.metadata.labels?.[HASH_LABEL] === hash);
  if (!replicaSet) {
    return undefined;
  }
  const failure = replicaFailure(replicaSet);
  if (failure) {
    return {
      ...failure,
      phase: 'Degraded',
      message: `ReplicaSet ${replicaSet.metadata.name}: ${failure.message}`,
    };
  }
  const pods = owned
    .of('Pod')
    .filter((pod) =>
      ((pod.metadata.ownerReferences as { uid: string }[] | undefined) ?? []).some(
        (o) => o.uid === replicaSet.metadata.uid,
      ),
    );
  const problem = podsProblem(pods);
  return problem?.state === 'failed' ? { ...problem, phase: 'Degraded' } : undefined;
}

/**
 * `message`, then the current step and the AnalysisRuns running for the new version: what each
 * condition from here on says while it waits.
 */
function detailOf(rollout: LiveObject, owned: OwnedObjects, message: string): string {
  const running = currentRuns(rollout, owned)
    .filter((run) => phaseOf(run) === 'Running')
    .map(describeRun);
  return [message, describeStep(specOf(rollout), statusOf(rollout)), ...running].filter(Boolean).join('; ');
}

/** Paused while spec.paused is set or status.pauseConditions is not empty, with the pause's reason. */
function notPaused(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const paused = (message: string): Readiness => ({
    state: 'progressing',
    phase: 'Paused',
    message: detailOf(rollout, owned, message),
  });
  const { pauseConditions } = statusOf(rollout);
  if (specOf(rollout).paused) {
    return paused('manually paused');
  }
  if (pauseConditions && pauseConditions.length > 0) {
    return paused(pauseConditions.map((c) => c.reason ?? 'paused').join(', '));
  }
  return undefined;
}

/** Progressing while updatedReplicas < spec.replicas (default 1) or availableReplicas < updatedReplicas. */
function replicasUpdatedAndAvailable(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const status = statusOf(rollout);
  const updated = status.updatedReplicas ?? 0;
  if (updated < (specOf(rollout).replicas ?? 1)) {
    return progressing(detailOf(rollout, owned, 'more replicas need to be updated'));
  }
  if ((status.availableReplicas ?? 0) < updated) {
    return progressing(detailOf(rollout, owned, 'updated replicas are still becoming available'));
  }
  return undefined;
}

/** Blue-green: progressing until status.blueGreen.activeSelector and then status.stableRS are the current pod hash. */
function blueGreenPromoted(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  if (!specOf(rollout).strategy?.blueGreen) {
    return undefined;
  }
  const status = statusOf(rollout);
  const current = status.currentPodHash;
  if (!status.blueGreen?.activeSelector || status.blueGreen.activeSelector !== current) {
    return progressing(detailOf(rollout, owned, 'active service cutover pending'));
  }
  if (!status.stableRS || status.stableRS !== current) {
    return progressing(detailOf(rollout, owned, 'waiting for analysis to complete'));
  }
  return undefined;
}

/**
 * Canary (a Rollout that is not blue-green): progressing while old replicas terminate
 * (status.replicas > updatedReplicas), then until status.stableRS is the current pod hash (all steps done).
 */
function canaryStepsComplete(rollout: LiveObject, owned: OwnedObjects): Readiness | undefined {
  const { strategy } = specOf(rollout);
  if (strategy?.blueGreen || !strategy?.canary) {
    return undefined;
  }
  const status = statusOf(rollout);
  if ((status.replicas ?? 0) > (status.updatedReplicas ?? 0)) {
    return progressing(detailOf(rollout, owned, 'old replicas are pending termination'));
  }
  if (!status.stableRS || status.stableRS !== status.currentPodHash) {
    return progressing(detailOf(rollout, owned, 'waiting for all steps to complete'));
  }
  return undefined;
}

/**
 * Progressing while a HorizontalPodAutoscaler of the Rollout wants more replicas than are available (a
 * Rollout without spec.replicas starts at 1 until the autoscaler scales it: autoscaler.ts).
 */
function autoscalerSatisfied(rollout: LiveObject, related: OwnedObjects): Readiness | undefined {
  const pending = autoscalerPending(rollout, related);
  return pending && { ...pending, phase: 'Progressing' };
}

/** Healthy (ready): every condition before passed. */
function healthy(): Readiness {
  return { state: 'ready', phase: 'Healthy', message: 'healthy' };
}

/** "step 2 of 4" while a canary is between its first and last step. */
function describeStep(spec: RolloutSpec, status: RolloutStatus): string | undefined {
  const steps = spec.strategy?.canary?.steps?.length ?? 0;
  const index = status.currentStepIndex;
  return steps > 0 && index !== undefined && index < steps ? `step ${index + 1} of ${steps}` : undefined;
}

/** The AnalysisRuns the controller made for the Rollout's current pod template, oldest first. */
function currentRuns(rollout: LiveObject, owned: OwnedObjects): LiveObject[] {
  const hash = statusOf(rollout).currentPodHash;
  return owned
    .of('AnalysisRun')
    .filter((run) => run.metadata.labels?.['rollouts-pod-template-hash'] === hash)
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
}

function phaseOf(run: LiveObject): string {
  return (run as AnalysisRunFields).status?.phase ?? 'Pending';
}

/** The guards an alarm's conditions start with for missing data (lib/alarms/alarm.ts), not shown. */
const NO_DATA_GUARD =
  /^(len\(result\) > 0 && (!isNaN\(result\[0\]\) && )?|len\(result\) == 0 \|\| isNaN\(result\[0\]\) \|\| )/;

/**
 * `AnalysisRun api-6f9c-2-1 Failed: error-rate = [0.5] (limit: result[0] > 0.05)`: each metric that
 * measured something, with its last value and the condition under which it fails.
 */
export function describeRun(run: LiveObject): string {
  const { spec, status } = run as AnalysisRunFields;
  const metrics = (status?.metricResults ?? []).map((result) => {
    const last = result.measurements?.at(-1);
    const definition = spec?.metrics?.find((m) => m.name === result.name);
    const limit = definition?.failureCondition ?? definition?.successCondition;
    // An empty result is a metric without data, which fails an alarm's analysis unless it says otherwise.
    const value = last?.value === '[]' ? ' had no data' : last?.value !== undefined ? ` = ${last.value}` : '';
    const because = result.message ?? last?.message;
    return [
      `${result.name}${value}`,
      limit ? ` (limit: ${limit.replace(NO_DATA_GUARD, '')})` : '',
      result.phase && result.phase !== phaseOf(run) ? ` ${result.phase}` : '',
      because ? `: ${because}` : '',
    ].join('');
  });
  return `AnalysisRun ${run.metadata.name} ${phaseOf(run)}${metrics.length ? `: ${metrics.join(', ')}` : ''}`;
}

/**
 * How long after a template change an older InvalidSpec still counts as stale. The controller keeps the
 * condition untouched when the spec is still invalid for the same reason, so past this grace the
 * condition stands.
 */
const REVALIDATION_GRACE_MS = 60_000;

/**
 * The name of an AnalysisTemplate the Rollout refers to that was written after `condition` (by any field
 * manager) within the grace, or undefined: then the condition describes the templates as they are.
 */
function templateChangedSince(
  spec: RolloutSpec,
  condition: Condition,
  owned: OwnedObjects,
): string | undefined {
  const written = Date.parse((condition as { lastUpdateTime?: string }).lastUpdateTime ?? '');
  if (Number.isNaN(written)) {
    return undefined;
  }
  const refs = [
    spec.strategy?.blueGreen?.prePromotionAnalysis,
    spec.strategy?.blueGreen?.postPromotionAnalysis,
    spec.strategy?.canary?.analysis,
    ...(spec.strategy?.canary?.steps ?? []).map((s) => s.analysis),
  ];
  const names = new Set(refs.flatMap((r) => r?.templates ?? []).map((t) => t.templateName));
  return [...names].find((name) => {
    const template = owned.of('AnalysisTemplate').find((t) => t.metadata.name === name);
    const times = ((template?.metadata.managedFields as { time?: string }[] | undefined) ?? []).map((f) =>
      Date.parse(f.time ?? ''),
    );
    return times.some((time) => time > written && Date.now() - time < REVALIDATION_GRACE_MS);
  });
}

/**
 * When the Rollout's spec or metadata was last written (not its status), from its managedFields and
 * creation time; undefined when the object carries neither.
 */
function lastWritten(rollout: LiveObject): number | undefined {
  const times = (
    (rollout.metadata.managedFields as { time?: string; subresource?: string }[] | undefined) ?? []
  )
    .filter((f) => f.subresource !== 'status')
    .map((f) => Date.parse(f.time ?? ''))
    .filter((t) => !Number.isNaN(t));
  const created = Date.parse(String(rollout.metadata.creationTimestamp));
  const known = Number.isNaN(created) ? times : [created, ...times];
  return known.length > 0 ? Math.max(...known) : undefined;
}
