/**
 * The replicated-pods part that Worker and WebService share (and the coming StatefulService will): a
 * Deployment built with its strategy and replica count already decided, an autoscaler aimed at whatever
 * runs the pods, and a disruption budget.
 */
import type { Construct } from 'constructs';
import { invalid } from '../core/errors.js';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { DeliverableWorkload, DeploymentStrategy } from '../delivery/deployment-strategy.js';
import { ScalableRollout } from '../delivery/deployment-strategy.js';
import type { WorkloadResourceFactory } from './workload-resource.js';

export interface AutoscalingOptions {
  /**
   * The fewest replicas.
   *
   * @default 2
   */
  readonly minReplicas?: number;
  /** The most replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU use, in percent of the request.
   *
   * @default 70
   */
  readonly cpuUtilization?: number;
  /**
   * Target average memory use, in percent of the request.
   *
   * @default - memory does not drive scaling
   */
  readonly memoryUtilization?: number;
}

export interface DisruptionBudgetOptions {
  /**
   * How many pods a voluntary disruption (a node drain) may take down at once.
   *
   * @default 1
   */
  readonly maxUnavailable?: number;
}

export interface ReplicationProps {
  /**
   * How many pods run. Ignored when autoscaling is set, which owns the count.
   *
   * @default 1 (a WebService: 2)
   */
  readonly replicas?: number;
  /**
   * Scale the pods with their CPU (and memory) use.
   *
   * @default - a fixed number of replicas
   */
  readonly autoscaling?: AutoscalingOptions;
  /**
   * Keep node drains from taking down too many pods at once.
   *
   * @default - a PodDisruptionBudget with maxUnavailable 1 when more than one replica may run
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * How a new version replaces the old: in place on the Deployment, or progressively by an Argo Rollout.
   *
   * @default - Kubernetes' rolling update (25% unavailable, 25% surge)
   */
  readonly strategy?: DeploymentStrategy;
}

/** What keeps a replicated workload's pod count right: its autoscaler and disruption budget. */
export interface Scaling {
  readonly autoscaler?: plus.HorizontalPodAutoscaler;
  readonly disruptionBudget?: plus.k8s.KubePodDisruptionBudget;
}

/**
 * The replica count (undefined under an autoscaler, which owns the count: a fixed one would fight it),
 * and the factory of a Deployment with everything decided up front: the strategy's update strategy, or
 * no pods at all when an Argo Rollout will run them from this Deployment's template.
 */
export function replicatedPods(
  props: ReplicationProps,
  defaultReplicas: number,
): { readonly replicas?: number; readonly factory: WorkloadResourceFactory } {
  const replicas = props.autoscaling ? undefined : (props.replicas ?? defaultReplicas);
  return {
    replicas,
    factory: {
      create: (workload, pod) =>
        new plus.Deployment(workload, 'Resource', {
          ...pod,
          replicas: onRollout(props) ? 0 : replicas,
          strategy: props.strategy?.updateStrategy(workload),
        }),
    },
  };
}

function onRollout(props: ReplicationProps): boolean {
  return props.strategy !== undefined && props.strategy.kind !== 'in-place';
}

/** The autoscaler and disruption budget of a replicated workload, in `workload`. */
export function scale(
  workload: Construct & Pick<DeliverableWorkload, 'name' | 'deployment' | 'replicas'>,
  props: ReplicationProps,
): Scaling {
  const replicas = workload.replicas;
  if (replicas !== undefined) {
    checkRange(
      workload,
      'replicas',
      replicas,
      0,
      Number.MAX_SAFE_INTEGER,
      'Set replicas to 0 or a positive whole number',
    );
  }
  const autoscaler = props.autoscaling
    ? autoscale(
        workload,
        props.autoscaling,
        onRollout(props) ? new ScalableRollout(workload) : workload.deployment,
        workload.name,
      )
    : undefined;
  const mostReplicas = props.autoscaling?.maxReplicas ?? replicas ?? 1;
  return {
    autoscaler,
    disruptionBudget: disruptionBudget(workload, workload.deployment, mostReplicas, props.disruptionBudget),
  };
}

/**
 * The PodDisruptionBudget of `resource`'s pods: the one asked for, or maxUnavailable 1 when more than
 * one replica may run (with one, a budget would block every drain).
 */
export function disruptionBudget(
  workload: Construct & { readonly name: string },
  resource: plus.Workload,
  mostReplicas: number,
  options: DisruptionBudgetOptions | undefined,
): plus.k8s.KubePodDisruptionBudget | undefined {
  if (!options && mostReplicas <= 1) {
    return undefined;
  }
  const maxUnavailable = options?.maxUnavailable ?? 1;
  checkRange(
    workload,
    'disruptionBudget.maxUnavailable',
    maxUnavailable,
    1,
    Number.MAX_SAFE_INTEGER,
    'Let at least 1 pod be disrupted, or drains never finish',
  );
  return new plus.k8s.KubePodDisruptionBudget(workload, 'DisruptionBudget', {
    metadata: { name: workload.name },
    spec: {
      maxUnavailable: plus.k8s.IntOrString.fromNumber(maxUnavailable),
      selector: { matchLabels: { ...resource.matchLabels } },
    },
  });
}

function autoscale(
  scope: Construct,
  options: AutoscalingOptions,
  target: plus.IScalable,
  name: string,
): plus.HorizontalPodAutoscaler {
  const min = options.minReplicas ?? 2;
  checkRange(
    scope,
    'autoscaling.minReplicas',
    min,
    1,
    Number.MAX_SAFE_INTEGER,
    'Set minReplicas to 1 or more',
  );
  checkRange(
    scope,
    'autoscaling.maxReplicas',
    options.maxReplicas,
    1,
    Number.MAX_SAFE_INTEGER,
    'Set maxReplicas to 1 or more',
  );
  if (min > options.maxReplicas) {
    invalid(
      scope,
      `autoscaling.minReplicas (${min}) is greater than autoscaling.maxReplicas (${options.maxReplicas})`,
      'Make minReplicas at most maxReplicas',
    );
  }
  const metrics = [
    plus.Metric.resourceCpu(plus.MetricTarget.averageUtilization(options.cpuUtilization ?? 70)),
  ];
  if (options.memoryUtilization !== undefined) {
    metrics.push(plus.Metric.resourceMemory(plus.MetricTarget.averageUtilization(options.memoryUtilization)));
  }
  return new plus.HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata: { name },
    target,
    minReplicas: min,
    maxReplicas: options.maxReplicas,
    metrics,
  });
}
