/** What a readiness checker tells about one live object, and the shape of a checker. */
import type { Manifest } from '../../transport/resources.js';

export const READINESS_STATES = ['ready', 'progressing', 'failed'] as const;
export type ReadinessState = (typeof READINESS_STATES)[number];

export interface Readiness {
  readonly state: ReadinessState;
  /** Why, in a few words: what is still missing, or what failed. */
  readonly message: string;
  /**
   * The phase in the words of the kind's own tooling (an Argo Rollout's Healthy, Progressing, Paused or Degraded).
   *
   * @default - none beyond the state
   */
  readonly phase?: string;
  /**
   * Judge the object again after this many milliseconds even if nothing about it changed: for a verdict
   * that time alone changes (a grace period that runs out).
   *
   * @default - only when the object or what it owns changes
   */
  readonly recheckAfterMs?: number;
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid: string;
  readonly controller?: boolean;
}

/** A live object as the API returns it: a manifest with the status its controllers write. */
export interface LiveObject extends Manifest {
  readonly status?: Readonly<Record<string, unknown>> & {
    readonly observedGeneration?: number | string;
    readonly conditions?: readonly Condition[];
  };
}

/** A kind of object that a checker wants to see beneath the objects it judges. */
export interface OwnedKind {
  readonly apiVersion: string;
  readonly kind: string;
}

/**
 * The objects beneath the one being judged: those it owns, and those they own in turn (a Deployment's
 * ReplicaSets and their Pods), through `metadata.ownerReferences`. Only kinds the checker lists in `owns`.
 */
export interface OwnedObjects {
  /** Every descendant of that kind, in no particular order. */
  of(kind: string): readonly LiveObject[];
}

/**
 * One step of a checker, in order (as Pulumi's await logic states them: `jobStarted`, `jobComplete`): a
 * readiness that decides (failed, or progressing for a stated reason), or undefined to go on to the next
 * step. The built-in checkers name each one for what it checks, with a doc comment saying how.
 */
export type ReadinessCondition = (object: LiveObject, owned: OwnedObjects) => Readiness | undefined;

/** How much a kind's status tells about which spec it describes. */
export const OBSERVED_GENERATION_RULES = ['required', 'when-reported', 'ignored'] as const;
export type ObservedGenerationRule = (typeof OBSERVED_GENERATION_RULES)[number];

export interface ReadinessChecker {
  /**
   * `required`: progressing until `status.observedGeneration` reaches `metadata.generation` (its controller
   * always reports it); `when-reported`: the same, but a missing one says nothing; `ignored`: not checked.
   * The registry runs this check before the conditions.
   *
   * @default 'required'
   */
  readonly observedGeneration?: ObservedGenerationRule;
  /**
   * What to report while the controller has not observed the latest generation.
   *
   * @default - a message saying which generation the controller has seen
   */
  readonly pending?: Readiness;
  /**
   * The kinds of objects beneath this one that the conditions look at, with every kind on the way down
   * (a Deployment's Pods are reached through its ReplicaSets, so both are listed).
   *
   * @default - none
   */
  readonly owns?: readonly OwnedKind[];
  /**
   * Kinds the conditions look at in the object's namespace besides what it owns (a Rollout's
   * Deployment and AnalysisTemplates, which it refers to by name); `of(kind)` lists every object of such
   * a kind in that namespace.
   *
   * @default - none
   */
  readonly related?: readonly OwnedKind[];
  /** The conditions, in order; the first that decides wins, and an object passing them all is ready. */
  readonly conditions: readonly ReadinessCondition[];
}
