import type { Construct } from 'constructs';
import { invalid } from '../core/errors.js';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { Delivery, DeliveryTarget, DeploymentStrategy } from '../delivery/deployment-strategy.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';

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

export interface WorkerProps extends WorkloadProps {
  /**
   * How many pods run. Ignored when autoscaling is set, which owns the count.
   *
   * @default 1
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

/** A long-running workload without a Service: a queue consumer, a stream processor. */
export class Worker extends Workload implements DeliveryTarget {
  public readonly deployment: plus.Deployment;
  /** The desired number of pods; undefined when the autoscaler owns it. */
  public readonly replicas?: number;
  public readonly autoscaler?: plus.HorizontalPodAutoscaler;
  public readonly disruptionBudget?: plus.k8s.KubePodDisruptionBudget;
  private delivered?: Delivery;

  public constructor(scope: Construct, id: string, props: WorkerProps) {
    // The autoscaler owns the count when there is one; a fixed count would fight it.
    const replicas = props.autoscaling ? undefined : (props.replicas ?? 1);
    super(scope, id, props, {
      podSpecPath: '/spec/template/spec',
      create: (self, pod) => new plus.Deployment(self, 'Resource', { ...pod, replicas }),
    });
    this.deployment = this.resource as plus.Deployment;
    this.replicas = replicas;
    if (replicas !== undefined) {
      checkRange(
        this,
        'replicas',
        replicas,
        0,
        Number.MAX_SAFE_INTEGER,
        'Set replicas to 0 or a positive whole number',
      );
    }

    if (props.autoscaling) {
      this.autoscaler = this.autoscale(props.autoscaling);
    }
    const mostReplicas = props.autoscaling?.maxReplicas ?? replicas ?? 1;
    if (props.disruptionBudget || mostReplicas > 1) {
      const maxUnavailable = props.disruptionBudget?.maxUnavailable ?? 1;
      checkRange(
        this,
        'disruptionBudget.maxUnavailable',
        maxUnavailable,
        1,
        Number.MAX_SAFE_INTEGER,
        'Let at least 1 pod be disrupted, or drains never finish',
      );
      this.disruptionBudget = new plus.k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata: { name: this.name },
        spec: {
          maxUnavailable: plus.k8s.IntOrString.fromNumber(maxUnavailable),
          selector: { matchLabels: { ...this.deployment.matchLabels } },
        },
      });
    }
    if (new.target === Worker) {
      this.deliver(props.strategy);
    }
  }

  /** What the strategy added: the Rollout, its AnalysisTemplates and Services. */
  public get delivery(): Delivery | undefined {
    return this.delivered;
  }

  /**
   * Applies the strategy, once the workload is complete. A subclass that adds a Service calls this at
   * the end of its own constructor, since the strategy may route that Service.
   */
  protected deliver(strategy: DeploymentStrategy | undefined): void {
    this.delivered = strategy?._bind(this);
  }

  private autoscale(options: AutoscalingOptions): plus.HorizontalPodAutoscaler {
    const min = options.minReplicas ?? 2;
    checkRange(
      this,
      'autoscaling.minReplicas',
      min,
      1,
      Number.MAX_SAFE_INTEGER,
      'Set minReplicas to 1 or more',
    );
    checkRange(
      this,
      'autoscaling.maxReplicas',
      options.maxReplicas,
      1,
      Number.MAX_SAFE_INTEGER,
      'Set maxReplicas to 1 or more',
    );
    if (min > options.maxReplicas) {
      invalid(
        this,
        `autoscaling.minReplicas (${min}) is greater than autoscaling.maxReplicas (${options.maxReplicas})`,
        'Make minReplicas at most maxReplicas',
      );
    }
    const metrics = [
      plus.Metric.resourceCpu(plus.MetricTarget.averageUtilization(options.cpuUtilization ?? 70)),
    ];
    if (options.memoryUtilization !== undefined) {
      metrics.push(
        plus.Metric.resourceMemory(plus.MetricTarget.averageUtilization(options.memoryUtilization)),
      );
    }
    return new plus.HorizontalPodAutoscaler(this, 'Autoscaler', {
      metadata: { name: this.name },
      target: this.deployment,
      minReplicas: min,
      maxReplicas: options.maxReplicas,
      metrics,
    });
  }
}
