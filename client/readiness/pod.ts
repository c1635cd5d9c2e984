/**
 * Pod:
 * - the kubelet observed the latest generation, when it reports one;
 * - ready when phase is Succeeded, or when the Ready condition is True;
 * - failed when phase is Failed, or a container waits for a reason that does not fix itself
 *   (ImagePullBackOff, ErrImagePull, InvalidImageName, CrashLoopBackOff, CreateContainerConfigError);
 * - progressing otherwise.
 */
import { conditionOf, generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

const STUCK_REASONS = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'CreateContainerConfigError',
]);

interface ContainerStatus {
  name: string;
  state?: { waiting?: { reason?: string; message?: string } };
}

export function podReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  const status = (object.status ?? {}) as {
    phase?: string;
    reason?: string;
    message?: string;
    containerStatuses?: ContainerStatus[];
  };
  if (status.phase === 'Succeeded' || conditionOf(object, 'Ready')?.status === 'True') {
    return READY;
  }
  if (status.phase === 'Failed') {
    return {
      state: 'failed',
      message: [status.reason, status.message].filter(Boolean).join(': ') || 'pod failed',
    };
  }
  const stuck = (status.containerStatuses ?? []).find((c) =>
    STUCK_REASONS.has(c.state?.waiting?.reason ?? ''),
  );
  if (stuck) {
    return {
      state: 'failed',
      message: `container ${stuck.name}: ${[stuck.state!.waiting!.reason, stuck.state!.waiting!.message].filter(Boolean).join(': ')}`,
    };
  }
  return { state: 'progressing', message: `phase ${status.phase ?? 'Pending'}` };
}
