/**
 * Job (Jobs have no observedGeneration: their spec is immutable once running, so it is checked only if present):
 * - ready when the Complete condition is True;
 * - failed when the Failed condition is True (BackoffLimitExceeded, DeadlineExceeded, ...);
 * - failed at once when one of its pods cannot start (ImagePullBackOff, CreateContainerConfigError, ...)
 *   instead of waiting for the backoff limit;
 * - progressing otherwise.
 */
import { conditionOf, failedWhen, progressing, READY } from './generation.js';
import { podFailure } from './pod.js';
import { POD_KIND } from './replicaset.js';
import type { LiveObject, OwnedObjects, Readiness, ReadinessChecker } from './types.js';

/** Ready once the Complete condition is True. */
function jobComplete(job: LiveObject): Readiness | undefined {
  return conditionOf(job, 'Complete')?.status === 'True' ? READY : undefined;
}

/** Failed when the Failed condition is True (BackoffLimitExceeded, DeadlineExceeded, ...). */
const jobFailed = failedWhen('Failed', 'True');

/** Failed at once when one of its pods cannot start, instead of waiting for the backoff limit. */
function podsStart(_job: LiveObject, owned: OwnedObjects): Readiness | undefined {
  for (const pod of owned.of('Pod')) {
    const failure = podFailure(pod);
    // A failed pod is retried up to the backoff limit; a container that cannot start never will.
    if (failure && (pod.status as { phase?: string } | undefined)?.phase !== 'Failed') {
      return { ...failure, message: `pod ${pod.metadata.name}: ${failure.message}` };
    }
  }
  return undefined;
}

/** Progressing otherwise, with how many pods are active and succeeded. */
function jobRunning(job: LiveObject): Readiness {
  const status = job.status as { active?: number; succeeded?: number } | undefined;
  return progressing(`${status?.active ?? 0} active, ${status?.succeeded ?? 0} succeeded`);
}

export const JOB_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  owns: [POD_KIND],
  conditions: [jobComplete, jobFailed, podsStart, jobRunning],
};
