/** What checkers share: reading conditions, and the observed-generation check the registry runs first. */
import type { Condition, LiveObject, ObservedGenerationRule, Readiness } from './types.js';

/**
 * Progressing while `status.observedGeneration` is behind `metadata.generation`: the status describes an
 * older spec and says nothing about this one. Under `required`, a missing observedGeneration (the
 * controller has not written any status yet) counts as behind. A value that is not a number (old Argo
 * Rollouts controllers wrote a hash there) says nothing about the generation.
 */
export function generationPending(object: LiveObject, rule: ObservedGenerationRule): Readiness | undefined {
  if (rule === 'ignored') {
    return undefined;
  }
  const generation = object.metadata.generation as number | undefined;
  const observed = object.status?.observedGeneration;
  if (observed === undefined) {
    return rule === 'required'
      ? { state: 'progressing', message: 'waiting for the controller to observe it' }
      : undefined;
  }
  const seen = Number(observed);
  if (generation !== undefined && !Number.isNaN(seen) && seen < generation) {
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

export const progressing = (message: string): Readiness => ({ state: 'progressing', message });
export const failed = (message: string): Readiness => ({ state: 'failed', message });

/** A condition step: failed, with the condition's reason and message, when condition `type` has `status`. */
export function failedWhen(
  type: string,
  status: Condition['status'],
): (object: LiveObject) => Readiness | undefined {
  return (object) => {
    const condition = conditionOf(object, type);
    return condition?.status === status ? failed(describeCondition(condition)) : undefined;
  };
}
