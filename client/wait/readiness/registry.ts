/**
 * Which checker decides the readiness of which kind, by API group and kind; users add their own kinds
 * (or replace a built-in checker) with `register`. The registry runs the observed-generation check every
 * checker needs, then the checker's conditions in order.
 */
import { groupOf } from '../../transport/resources.js';
import { CRD_READINESS } from './crd.js';
import { CRON_JOB_READINESS } from './cronjob.js';
import { DAEMON_SET_READINESS } from './daemonset.js';
import { DEPLOYMENT_READINESS } from './deployment.js';
import { generationPending, READY } from './generation.js';
import { JOB_READINESS } from './job.js';
import { POD_READINESS } from './pod.js';
import { PERSISTENT_VOLUME_CLAIM_READINESS } from './pvc.js';
import { READY_CONDITION_READINESS } from './ready-condition.js';
import { REPLICA_SET_READINESS } from './replicaset.js';
import { ROLLOUT_READINESS } from './rollout.js';
import { SERVICE_READINESS } from './service.js';
import { STATEFUL_SET_READINESS } from './statefulset.js';
import { PIPELINE_RUN_READINESS, TEKTON_RUN_READINESS } from './tekton.js';
import type { LiveObject, OwnedObjects, Readiness, ReadinessChecker } from './types.js';

const BUILT_IN_CHECKERS: readonly (readonly [string, string, ReadinessChecker])[] = [
  ['apps/v1', 'Deployment', DEPLOYMENT_READINESS],
  ['apps/v1', 'StatefulSet', STATEFUL_SET_READINESS],
  ['apps/v1', 'DaemonSet', DAEMON_SET_READINESS],
  ['apps/v1', 'ReplicaSet', REPLICA_SET_READINESS],
  ['batch/v1', 'Job', JOB_READINESS],
  ['batch/v1', 'CronJob', CRON_JOB_READINESS],
  ['v1', 'Pod', POD_READINESS],
  ['v1', 'Service', SERVICE_READINESS],
  ['v1', 'PersistentVolumeClaim', PERSISTENT_VOLUME_CLAIM_READINESS],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', CRD_READINESS],
  ['argoproj.io/v1alpha1', 'Rollout', ROLLOUT_READINESS],
  ['tekton.dev/v1', 'PipelineRun', PIPELINE_RUN_READINESS],
  ['tekton.dev/v1', 'TaskRun', TEKTON_RUN_READINESS],
];

const NOTHING_OWNED: OwnedObjects = { of: () => [] };

const keyOf = (apiVersion: string, kind: string) => `${groupOf(apiVersion)}/${kind}`;

export class ReadinessRegistry {
  /** A registry with the built-in checkers (see docs/client.md, "Readiness"), to which more can be added. */
  public static withBuiltIns(): ReadinessRegistry {
    const registry = new ReadinessRegistry();
    for (const [apiVersion, kind, checker] of BUILT_IN_CHECKERS) {
      registry.register(apiVersion, kind, checker);
    }
    return registry;
  }

  private readonly checkers = new Map<string, ReadinessChecker>();

  /**
   * @param fallback decides kinds nobody registered
   */
  public constructor(private readonly fallback: ReadinessChecker = READY_CONDITION_READINESS) {}

  /** Decides the readiness of `kind` in the API group of `apiVersion` (every version of the group). */
  public register(apiVersion: string, kind: string, checker: ReadinessChecker): this {
    this.checkers.set(keyOf(apiVersion, kind), checker);
    return this;
  }

  public checkerFor(apiVersion: string, kind: string): ReadinessChecker {
    return this.checkers.get(keyOf(apiVersion, kind)) ?? this.fallback;
  }

  /** The observed-generation check, then each condition in order; an object passing them all is ready. */
  public readinessOf(object: LiveObject, owned: OwnedObjects = NOTHING_OWNED): Readiness {
    const checker = this.checkerFor(object.apiVersion, object.kind);
    const pending = generationPending(object, checker.observedGeneration ?? 'required');
    if (pending) {
      return checker.pending ?? pending;
    }
    for (const condition of checker.conditions) {
      const decided = condition(object, owned);
      if (decided) {
        return decided;
      }
    }
    return READY;
  }
}

/** The registry the client uses unless given another. */
export const DEFAULT_READINESS = ReadinessRegistry.withBuiltIns();

export function readinessOf(object: LiveObject, owned?: OwnedObjects): Readiness {
  return DEFAULT_READINESS.readinessOf(object, owned);
}
