/**
 * Pod:
 * - the kubelet observed the latest generation, when it reports one;
 * - ready when phase is Succeeded, or when the Ready condition is True;
 * - failed when phase is Failed, or a container waits for a reason that does not fix itself
 *   (ImagePullBackOff, ErrImagePull, InvalidImageName, CrashLoopBackOff, CreateContainerConfigError),
 *   with the fix when the kubelet's message is one synth cannot foresee (an image that runs as root);
 * - progressing otherwise, saying why when the scheduler cannot place it (Unschedulable).
 */
import { conditionOf, describeCondition, failed, progressing, READY } from './generation.js';
import type { LiveObject, Readiness, ReadinessChecker } from './types.js';

const STUCK_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
]);

/**
 * Kubelet messages of a pod under "restricted" whose image runs as root, which synth cannot know, and the
 * fix. The kubelet writes `container has runAsNonRoot and image will run as root (pod: ..., container:
 * ...)` for a root image and `... image has non-numeric user (...), cannot verify user is non-root` for a
 * user named, not numbered.
 */
const ROOT_IMAGE = /container has runAsNonRoot and image (will run as root|has non-numeric user)/;
const ROOT_IMAGE_FIX =
  'set runAsUser (and runAsGroup, fsGroup) on the workload to the image\'s own non-root user, 999 for the official postgres (70 for its alpine tags), mysql, mongo, redis and rabbitmq images (docs/apps.md: "Databases under restricted")';

interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string; message?: string } };
}

interface PodStatus {
  phase?: string;
  reason?: string;
  message?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
}

const statusOf = (pod: LiveObject) => (pod.status ?? {}) as PodStatus;

/** Why a pod will not become ready without a change to its spec, or undefined: for its owners' checkers too. */
export function podFailure(pod: LiveObject): Readiness | undefined {
  const status = statusOf(pod);
  if (status.phase === 'Failed') {
    return failed([status.reason, status.message].filter(Boolean).join(': ') || 'pod failed');
  }
  const stuck = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])].find((c) =>
    STUCK_REASONS.has(c.state?.waiting?.reason ?? ''),
  );
  if (!stuck) {
    return undefined;
  }
  const { reason, message } = stuck.state!.waiting!;
  const fix = ROOT_IMAGE.test(message ?? '') ? `; ${ROOT_IMAGE_FIX}` : '';
  return failed(`container ${stuck.name}: ${[reason, message].filter(Boolean).join(': ')}${fix}`);
}

/** Why the scheduler has not placed a pod, or undefined. */
export function podUnscheduled(pod: LiveObject): Readiness | undefined {
  const scheduled = conditionOf(pod, 'PodScheduled');
  return scheduled?.status === 'False' ? progressing(describeCondition(scheduled)) : undefined;
}

/** Ready once it ran to completion (Succeeded) or its Ready condition is True. */
function succeededOrReady(pod: LiveObject): Readiness | undefined {
  return statusOf(pod).phase === 'Succeeded' || conditionOf(pod, 'Ready')?.status === 'True'
    ? READY
    : undefined;
}

/** Progressing otherwise, with its phase. */
function running(pod: LiveObject): Readiness {
  return progressing(`phase ${statusOf(pod).phase ?? 'Pending'}`);
}

export const POD_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [succeededOrReady, podFailure, podUnscheduled, running],
};
