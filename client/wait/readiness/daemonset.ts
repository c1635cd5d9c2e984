/**
 * DaemonSet, as `kubectl rollout status` decides:
 * - the controller observed the latest generation;
 * - progressing while updatedNumberScheduled < desiredNumberScheduled, or numberAvailable <
 *   desiredNumberScheduled;
 * - ready otherwise.
 */
import { progressing } from './generation.js';
import type { LiveObject, ReadinessChecker } from './types.js';

interface DaemonSetStatus {
  desiredNumberScheduled?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
}

/** Progressing while `count` of the status is below the desired number of scheduled pods. */
const podsBehind =
  (count: 'updatedNumberScheduled' | 'numberAvailable', what: string) => (daemonSet: LiveObject) => {
    const status = daemonSet.status as DaemonSetStatus;
    const desired = status.desiredNumberScheduled ?? 0;
    return (status[count] ?? 0) < desired
      ? progressing(`${status[count] ?? 0} of ${desired} pods ${what}`)
      : undefined;
  };

/** Progressing while fewer pods run the latest template than are scheduled. */
const podsUpdated = podsBehind('updatedNumberScheduled', 'updated');

/** Progressing while fewer pods are available than are scheduled. */
const podsAvailable = podsBehind('numberAvailable', 'available');

export const DAEMON_SET_READINESS: ReadinessChecker = {
  conditions: [podsUpdated, podsAvailable],
};
