import { Duration } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import type { AnalysisTemplate, RolloutSpecStrategy } from '../../imports/argoproj.io.js';
import { Rollout } from '../../imports/argoproj.io.js';
import { invalid, show } from '../core/errors.js';
import { NAME_LABEL } from '../core/labels.js';
import { podService, portsOf } from '../core/services.js';
import * as plus from '../core/plus.js';
import type { Alarm } from '../alarms/alarm.js';
import { analysisReference, analysisTemplateFromAlarms } from './analysis.js';
import { RolloutStep } from './rollout-step.js';
import type { PercentCheck } from './strategy-checks.js';
import { checkPercent, checkPodCount, checkPositive, isZero } from './strategy-checks.js';
import type {
  BlueGreenOptions,
  CanaryOptions,
  CustomStepsOptions,
  LinearOptions,
  PodCount,
  ProgressiveOptions,
  RollingOptions,
  TrafficSplittingOptions,
} from './strategy-options.js';

/** What a strategy sees of the workload it delivers (a WebService or Worker, or a construct of yours). */
export interface DeliverableWorkload extends IConstruct {
  readonly name: string;
  /** The Deployment that holds the pod template, and runs the pods under an in-place strategy. */
  readonly deployment: plus.Deployment;
  /** The desired number of pods; undefined when an autoscaler owns it. */
  readonly replicas?: number;
  /** The Service clients reach the workload through, if it has one. */
  readonly service?: plus.Service;
  readonly servicePort?: number;
  readonly ingress?: plus.Ingress;
}

/**
 * Everything a strategy gives the workload it delivers, in one answer to `bind`: how the Deployment
 * replaces its pods, or the Rollout that runs them instead, and the objects the strategy added.
 */
export interface Delivery {
  /**
   * How the Deployment replaces its own pods (an in-place strategy's answer).
   *
   * @default - cdk8s-plus's rolling update (25% unavailable, 25% surge)
   */
  readonly updateStrategy?: plus.DeploymentStrategy;
  /**
   * The Argo Rollout that runs the workload's pods in place of its Deployment: the Deployment then runs
   * none, and the workload's autoscaler scales the Rollout.
   *
   * @default - the Deployment runs the pods
   */
  readonly rollout?: Rollout;
  readonly analysisTemplates: readonly AnalysisTemplate[];
  /** The blue/green preview Service, or the canary Service of a traffic router. */
  readonly extraServices: readonly plus.Service[];
}

export const STRATEGY_KINDS = ['in-place', 'canary', 'blue-green'] as const;
export type StrategyKind = (typeof STRATEGY_KINDS)[number];

/**
 * How a workload's new version replaces the old: every CodeDeploy and Elastic Beanstalk strategy, in
 * place on a Deployment or progressively on an Argo Rollout, with alarms that roll it back.
 * Presets with the AWS names are in `CodeDeployDefault`, `ElasticBeanstalkPolicy` and `AWS_PRESETS`.
 */
export abstract class DeploymentStrategy {
  /** Every pod is replaced at once (Recreate): downtime, but never two versions side by side. */
  public static allAtOnce(): DeploymentStrategy {
    return new InPlaceStrategy({ recreate: true });
  }

  /** One pod at a time, never above the desired count. */
  public static oneAtATime(): DeploymentStrategy {
    return new InPlaceStrategy({ maxUnavailable: 1, maxSurge: 0 });
  }

  /** Half the pods at a time, never above the desired count. */
  public static halfAtATime(): DeploymentStrategy {
    return new InPlaceStrategy({ maxUnavailable: '50%', maxSurge: 0 });
  }

  /** A rolling update with its own bounds. */
  public static rolling(options: RollingOptions = {}): DeploymentStrategy {
    return new InPlaceStrategy({
      maxUnavailable: options.maxUnavailable ?? '25%',
      maxSurge: options.maxSurge ?? '25%',
    });
  }

  /** Elastic Beanstalk's rolling with additional batch: a new batch first, so capacity never drops. */
  public static rollingWithAdditionalBatch(batch: PodCount): DeploymentStrategy {
    return new InPlaceStrategy({ maxUnavailable: 0, maxSurge: batch });
  }

  /** The new version comes up in full beside the old before traffic switches to it, all at once. */
  public static immutable(): DeploymentStrategy {
    return new BlueGreenStrategy({ preview: false, autoPromotion: true });
  }

  /** Argo Rollouts blue/green: an active and a preview Service, promotion automatic or manual. */
  public static blueGreen(options: BlueGreenOptions = {}): DeploymentStrategy {
    return new BlueGreenStrategy(options);
  }

  /** CodeDeploy's canary: `percent` of the traffic for `interval`, then all of it. */
  public static canary(options: CanaryOptions): DeploymentStrategy {
    return new CanaryStrategy(
      options,
      [RolloutStep.setWeight(options.percent), RolloutStep.pause(options.interval)],
      checkPercent('canary', options.percent),
    );
  }

  /** CodeDeploy's linear: equal increments of `percent`, each serving for `interval`. */
  public static linear(options: LinearOptions): DeploymentStrategy {
    const steps: RolloutStep[] = [];
    for (let weight = options.percent; weight < 100 && options.percent > 0; weight += options.percent) {
      steps.push(RolloutStep.setWeight(weight), RolloutStep.pause(options.interval));
    }
    return new CanaryStrategy(options, steps, checkPercent('linear', options.percent));
  }

  /**
   * Elastic Beanstalk's traffic splitting: the new version at full capacity (with a traffic router)
   * serves `percent` of the traffic for `evaluationTime`, then all of it.
   */
  public static trafficSplitting(options: TrafficSplittingOptions = {}): DeploymentStrategy {
    const percent = options.percent ?? 10;
    const evaluationTime = options.evaluationTime ?? DEFAULT_EVALUATION_TIME;
    const fullCapacity = options.trafficRouter ? [RolloutStep.setCanaryScale({ weight: 100 })] : [];
    return new CanaryStrategy(
      options,
      [...fullCapacity, RolloutStep.setWeight(percent), RolloutStep.pause(evaluationTime)],
      checkPercent('trafficSplitting', percent),
    );
  }

  /** A canary of your own steps: setWeight, pause (timed, or a manual approval), analysis, setCanaryScale. */
  public static custom(options: CustomStepsOptions): DeploymentStrategy {
    return new CanaryStrategy(options, options.steps);
  }

  /**
   * Where the pods run: 'in-place' on the workload's Deployment, or on an Argo Rollout ('canary',
   * 'blue-green') that takes the Deployment's pod template over while the Deployment runs none. The
   * workload goes by what `bind` returns; `kind` tells the strategies apart without binding one.
   */
  public abstract readonly kind: StrategyKind;

  /**
   * The one question a workload asks its strategy, once its Deployment, Services and Ingress exist (as
   * aws-cdk's `TrafficRouting.bind`): adds what the strategy needs beside the workload (an Argo Rollout,
   * its AnalysisTemplates, preview or canary Services, all created in `scope`), and returns everything
   * the workload needs: the Deployment's update strategy, or the Rollout that runs the pods instead. The
   * Deployment's spec is read from the answer when it is synthesized. Called once per workload; a
   * strategy object may be bound to many workloads.
   */
  public abstract bind(scope: Construct, workload: DeliverableWorkload): Delivery;

  /**
   * For strategies of your own: an Argo Rollout in `scope` that runs `workload`'s pods from its
   * Deployment's template (`workloadRef`, the migration path Argo Rollouts documents), with `strategy`.
   */
  protected createRollout(
    scope: Construct,
    workload: DeliverableWorkload,
    strategy: RolloutSpecStrategy,
  ): Rollout {
    // Under an autoscaler, replicas stays out of the manifest so that applying it never fights the HPA;
    // the Argo controller defaults it to 1 for the HPA to take over (argo-rollouts#119).
    return new Rollout(scope, 'Rollout', {
      metadata: { name: workload.name, labels: { [NAME_LABEL]: workload.name } },
      spec: {
        replicas: workload.replicas,
        selector: { matchLabels: { ...workload.deployment.matchLabels } },
        workloadRef: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: workload.deployment.name,
          scaleDown: 'never',
        },
        strategy,
      },
    });
  }

  /**
   * For strategies of your own: a Service in `scope` with the workload Service's ports (names and
   * appProtocol), for Argo Rollouts to point at one version.
   */
  protected siblingService(
    scope: Construct,
    workload: DeliverableWorkload,
    role: string,
    name: string,
  ): plus.Service {
    return podService(scope, `${role}Service`, workload.deployment, {
      name,
      ports: portsOf(workload.service!),
    });
  }
}

const DEFAULT_EVALUATION_TIME = Duration.minutes(5);

class InPlaceStrategy extends DeploymentStrategy {
  public readonly kind = 'in-place';

  public constructor(
    private readonly options: {
      readonly recreate?: boolean;
      readonly maxUnavailable?: PodCount;
      readonly maxSurge?: PodCount;
    },
  ) {
    super();
  }

  public bind(_scope: Construct, workload: DeliverableWorkload): Delivery {
    return { updateStrategy: this.updateStrategy(workload), analysisTemplates: [], extraServices: [] };
  }

  private updateStrategy(workload: IConstruct): plus.DeploymentStrategy {
    const { recreate, maxUnavailable = 0, maxSurge = 0 } = this.options;
    if (recreate) {
      return plus.DeploymentStrategy.recreate();
    }
    const bounds = {
      maxUnavailable: checkPodCount(workload, 'maxUnavailable', maxUnavailable),
      maxSurge: checkPodCount(workload, 'maxSurge', maxSurge),
    };
    if (isZero(maxUnavailable) && isZero(maxSurge)) {
      invalid(
        workload,
        'a rolling update with maxUnavailable 0 and maxSurge 0 can never replace a pod',
        'Let at least one of them be above 0',
      );
    }
    return plus.DeploymentStrategy.rollingUpdate(bounds);
  }
}

class BlueGreenStrategy extends DeploymentStrategy {
  public readonly kind = 'blue-green';

  public constructor(private readonly options: BlueGreenOptions) {
    super();
  }

  public bind(scope: Construct, target: DeliverableWorkload): Delivery {
    const o = this.options;
    if (!target.service) {
      invalid(
        target,
        'blue/green switches a Service between versions, and this workload has none',
        'Use a WebService',
      );
    }
    const active = target.service.name;
    const previewName = o.previewServiceName ?? `${target.name}-preview`;
    if (o.preview !== false && previewName === active) {
      invalid(
        target,
        `blue/green needs two distinct Services, but the preview Service is named like the active one, ${show(active)}`,
        'Give previewServiceName another name',
      );
    }
    for (const [prop, value] of [
      ['autoPromotionDelay', o.autoPromotionDelay],
      ['scaleDownDelay', o.scaleDownDelay],
    ] as const) {
      checkPositive(target, prop, value);
    }
    const preview =
      o.preview === false ? undefined : this.siblingService(scope, target, 'Preview', previewName);
    const analysis = (stage: 'pre' | 'post', id: string, alarms: readonly Alarm[] | undefined) =>
      alarms === undefined
        ? undefined
        : analysisTemplateFromAlarms(scope, id, {
            alarms,
            name: `${target.name}-${stage}-promotion`,
            service: active,
            prometheusAddress: o.prometheusAddress,
            purpose: `${stage}-promotion analysis`,
            gate: true,
          });
    const pre = analysis('pre', 'PrePromotionAnalysis', o.prePromotionAnalysis);
    const post = analysis('post', 'PostPromotionAnalysis', o.postPromotionAnalysis);
    const rollout = this.createRollout(scope, target, {
      blueGreen: {
        activeService: active,
        previewService: preview?.name,
        autoPromotionEnabled: o.autoPromotion ?? true,
        autoPromotionSeconds: o.autoPromotionDelay?.toSeconds(),
        scaleDownDelaySeconds: (o.scaleDownDelay ?? Duration.seconds(30)).toSeconds(),
        prePromotionAnalysis: pre ? analysisReference(pre) : undefined,
        postPromotionAnalysis: post ? analysisReference(post) : undefined,
      },
    });
    return {
      rollout,
      analysisTemplates: [pre, post].filter((t): t is AnalysisTemplate => t !== undefined),
      extraServices: preview ? [preview] : [],
    };
  }
}

class CanaryStrategy extends DeploymentStrategy {
  public readonly kind = 'canary';

  public constructor(
    private readonly options: ProgressiveOptions,
    public readonly steps: readonly RolloutStep[],
    private readonly checkOptions: PercentCheck = () => {},
  ) {
    super();
  }

  public bind(scope: Construct, target: DeliverableWorkload): Delivery {
    this.checkOptions(target);
    this.checkSteps(target);
    const router = this.options.trafficRouter;
    if (router && (!target.service || !target.ingress)) {
      invalid(
        target,
        `the ${router.provider} traffic router splits traffic at the WebService's Ingress, and this workload has none`,
        'Set ingress on the WebService, or drop trafficRouter to split by pod counts',
      );
    }
    const service = target.service?.name ?? target.name;
    const templates: AnalysisTemplate[] = [];
    // Only the background analysis may run until the rollout ends; a step's must end for the next step.
    const template = (purpose: string, id: string, name: string, alarms: readonly Alarm[], gate: boolean) => {
      const t = analysisTemplateFromAlarms(scope, id, {
        alarms,
        name,
        service,
        prometheusAddress: this.options.prometheusAddress,
        purpose,
        gate,
      });
      templates.push(t);
      return t;
    };
    const background = this.options.analysis
      ? template('background analysis', 'Analysis', `${target.name}-alarms`, this.options.analysis, false)
      : undefined;
    const steps = this.stepsGuardingPromotion().map((step, i) =>
      step._toStep(
        step.kind === 'analysis'
          ? template(
              `analysis of step ${i + 1}`,
              `Step${i + 1}Analysis`,
              `${target.name}-step-${i + 1}`,
              step.alarms,
              true,
            )
          : undefined,
      ),
    );
    const canaryService = router
      ? this.siblingService(scope, target, 'Canary', `${target.name}-canary`)
      : undefined;
    const rollout = this.createRollout(scope, target, {
      canary: {
        steps,
        analysis: background ? analysisReference(background) : undefined,
        stableService: canaryService ? service : undefined,
        canaryService: canaryService?.name,
        trafficRouting: router?._toTrafficRouting(target.ingress!.name, target.servicePort ?? 80),
      },
    });
    return { rollout, analysisTemplates: templates, extraServices: canaryService ? [canaryService] : [] };
  }

  /**
   * The steps, then with a background analysis a step that measures its alarms: only a step's analysis
   * holds the promotion until its measurements are done, so the canary is never promoted unmeasured.
   */
  private stepsGuardingPromotion(): readonly RolloutStep[] {
    const alarms = this.options.analysis;
    return alarms ? [...this.steps, RolloutStep.analysis(alarms)] : this.steps;
  }

  private checkSteps(target: DeliverableWorkload): void {
    if (this.steps.length === 0) {
      invalid(target, 'a canary needs at least one step', 'Give it steps, or use allAtOnce');
    }
    let lastWeight = 0;
    this.steps.forEach((step, i) => {
      const where = `step ${i + 1}`;
      if (step.kind === 'setWeight') {
        const weight = step.weight!;
        if (!Number.isInteger(weight) || weight < 1 || weight > 100 || weight <= lastWeight) {
          invalid(
            target,
            `weights must rise and stay within 1..100, but ${where} sets ${show(weight)} after ${lastWeight}`,
            'Order the setWeight steps from low to high, each a whole percent from 1 to 100',
          );
        }
        lastWeight = weight;
      }
      if (step.kind === 'pause') {
        checkPositive(target, `the pause of ${where}`, step.duration);
      }
      if (step.kind === 'setCanaryScale' && !this.options.trafficRouter) {
        invalid(
          target,
          `${where} sets the canary scale, which only a traffic router can keep apart from the weight`,
          'Add a trafficRouter, or drop the setCanaryScale step',
        );
      }
    });
  }
}
