/** What every checker looks at first: whether the controller has seen the latest spec, and conditions. */
import type { Condition, LiveObject, Readiness } from './types.js';

/**
 * Progressing while `status.observedGeneration` is behind `metadata.generation`: the status describes an
 * older spec and says nothing about this one. With `required`, a missing observedGeneration (the
 * controller has not written any status yet) counts as behind.
 */
export function generationPending(object: LiveObject, required = true): Readiness | undefined {
  const generation = object.metadata.generation as number | undefined;
  const observed = object.status?.observedGeneration;
  if (observed === undefined) {
    return required
      ? { state: 'progressing', message: 'waiting for the controller to observe it' }
      : undefined;
  }
  if (generation !== undefined && Number(observed) < generation) {
    return {
      state: 'progressing',
      message: `waiting for the controller to observe generation ${generation} (it has seen ${observed})`,
    };
  }
  return undefined;
}

export function conditionOf(object: LiveObject, type: string): Condition | undefined {
  return object.status?.conditions?.find((c) => c.type === type);
}

/** `Reason: message` of a condition, for failure messages. */
export function describeCondition(condition: Condition): string {
  return [condition.reason, condition.message].filter(Boolean).join(': ') || condition.type;
}

export const READY: Readiness = { state: 'ready', message: 'ready' };
