/** What a readiness checker tells about one live object. */
import type { Manifest } from '../resources.js';

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
}

export interface Condition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason?: string;
  readonly message?: string;
}

/** A live object as the API returns it: a manifest with the status its controllers write. */
export interface LiveObject extends Manifest {
  readonly status?: Readonly<Record<string, unknown>> & {
    readonly observedGeneration?: number | string;
    readonly conditions?: readonly Condition[];
  };
}

/**
 * The objects a checker may look at besides its own (a Rollout's Deployment and AnalysisRuns), as the
 * caller last saw them. Kinds are the ones the checker's registry entry names as related.
 */
export interface RelatedObjects {
  get(kind: string, namespace: string, name: string): LiveObject | undefined;
  list(kind: string, namespace: string): readonly LiveObject[];
}

/** A reference to a kind, as a manifest names it. */
export interface KindRef {
  readonly apiVersion: string;
  readonly kind: string;
}

export type ReadinessChecker = (object: LiveObject, related?: RelatedObjects) => Readiness;
