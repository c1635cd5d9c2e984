/**
 * The replicated-pods part that Worker and WebService share: a Deployment, an autoscaler aimed at
 * whatever runs the pods, a disruption budget, and the one question to the strategy, asked last.
 */
import type { Construct } from 'constructs';
import { Rollout } from '../../imports/argoproj.io.js';
import { invalid } from '../core/errors.js';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { DeliverableWorkload, Delivery, DeploymentStrategy } from '../delivery/deployment-strategy.js';
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
 * The replicated pods of a Worker or WebService, which the workload creates through (as its resource
 * factory) and then scales and delivers. The strategy is asked once, by `deliver`, after the Services
 * exist; the Deployment and the autoscaler read its answer when they are synthesized.
 */
export class ReplicatedPods implements WorkloadResourceFactory, plus.IScalable {
  /** The desired number of pods; undefined under an autoscaler, which owns the count. */
  public readonly replicas?: number;
  private created?: DeliveredDeployment;
  private delivery?: Delivery;

  /** `defaultReplicas` is the workload kind's default for `props.replicas`. */
  public constructor(
    private readonly props: ReplicationProps,
    defaultReplicas: number,
  ) {
    this.replicas = props.autoscaling ? undefined : (props.replicas ?? defaultReplicas);
  }

  /** The Deployment, created by the Workload base class through `create`. */
  public get deployment(): plus.Deployment {
    return this.created!;
  }

  public create(
    workload: Construct,
    pod: plus.WorkloadProps & { metadata: { name: string } },
  ): plus.Deployment {
    this.created = new DeliveredDeployment(
      workload,
      'Resource',
      { ...pod, replicas: this.replicas },
      () => this.delivery,
    );
    return this.created;
  }

  /** The autoscaler and disruption budget, in `workload`. */
  public scale(workload: Construct & { readonly name: string }): Scaling {
    if (this.replicas !== undefined) {
      checkRange(
        workload,
        'replicas',
        this.replicas,
        0,
        Number.MAX_SAFE_INTEGER,
        'Set replicas to 0 or a positive whole number',
      );
    }
    const autoscaling = this.props.autoscaling;
    const mostReplicas = autoscaling?.maxReplicas ?? this.replicas ?? 1;
    return {
      autoscaler: autoscaling ? autoscale(workload, autoscaling, this, workload.name) : undefined,
      disruptionBudget: disruptionBudget(
        workload,
        this.deployment,
        mostReplicas,
        this.props.disruptionBudget,
      ),
    };
  }

  /** Binds the strategy, if any, to `workload`: the one time it is asked. */
  public deliver(workload: DeliverableWorkload): Delivery | undefined {
    this.delivery = this.props.strategy?.bind(workload, workload);
    return this.delivery;
  }

  public get hasAutoscaler(): boolean {
    return this.deployment.hasAutoscaler;
  }

  public markHasAutoscaler(): void {
    this.deployment.markHasAutoscaler();
  }

  /** What runs the pods: the strategy's Rollout, else the Deployment. */
  public toScalingTarget(): plus.ScalingTarget {
    const rollout = this.delivery?.rollout;
    return rollout
      ? {
          kind: 'Rollout',
          apiVersion: Rollout.GVK.apiVersion,
          name: rollout.name,
          containers: this.deployment.containers,
        }
      : this.deployment.toScalingTarget();
  }
}

/**
 * A Deployment whose spec takes the strategy's answer when it is synthesized: its update strategy, or
 * no pods at all when a Rollout runs them from this Deployment's template.
 */
class DeliveredDeployment extends plus.Deployment {
  public constructor(
    scope: Construct,
    id: string,
    props: plus.DeploymentProps,
    private readonly delivered: () => Delivery | undefined,
  ) {
    super(scope, id, props);
  }

  /** @internal */
  public override _toKube(): plus.k8s.DeploymentSpec {
    const delivery = this.delivered();
    const updateStrategy = delivery?.updateStrategy;
    return {
      ...super._toKube(),
      ...(delivery?.rollout ? { replicas: 0 } : {}),
      ...(updateStrategy ? { strategy: updateStrategy._toKube() } : {}),
    };
  }
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
