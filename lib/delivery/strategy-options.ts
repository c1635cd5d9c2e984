/** The options of the DeploymentStrategy factories, in their order there. */
import type { Duration } from 'cdk8s';
import type { Alarm } from '../alarms/alarm.js';
import type { RolloutStep } from './rollout-step.js';
import type { TrafficRouter } from './traffic-router.js';
/** A whole number of pods, or a percentage of the desired pods such as '25%'. */
export type PodCount = number | string;

export interface RollingOptions {
  /**
   * How many pods may be unavailable during the update.
   *
   * @default '25%'
   */
  readonly maxUnavailable?: PodCount;
  /**
   * How many pods may run above the desired count during the update.
   *
   * @default '25%'
   */
  readonly maxSurge?: PodCount;
}

export interface ProgressiveOptions {
  /**
   * Alarms measured in the background for the whole rollout; the first that fires aborts it, which
   * sends all traffic back to the stable version. They are also measured in a last analysis step
   * (each alarm's `measurements`, one a period) that the full promotion waits for: Argo Rollouts ends a
   * background analysis when the steps end, measured or not.
   *
   * @default - no background analysis
   */
  readonly analysis?: readonly Alarm[];
  /**
   * Split traffic by exact weights at the ingress.
   *
   * @default - weights are approximated by the share of canary pods
   */
  readonly trafficRouter?: TrafficRouter;
  /**
   * The Prometheus the analyses query.
   *
   * @default DEFAULT_PROMETHEUS_ADDRESS
   */
  readonly prometheusAddress?: string;
}

export interface CanaryOptions extends ProgressiveOptions {
  /** The share of traffic, in percent, the new version gets first. */
  readonly percent: number;
  /** How long it serves that share before it gets all traffic (after an `analysis`'s last measurements). */
  readonly interval: Duration;
}

export interface LinearOptions extends ProgressiveOptions {
  /** The share of traffic, in percent, added at every increment. */
  readonly percent: number;
  /** How long each increment serves before the next. */
  readonly interval: Duration;
}

export interface TrafficSplittingOptions extends ProgressiveOptions {
  /**
   * The share of traffic, in percent, the new version serves during the evaluation.
   *
   * @default 10
   */
  readonly percent?: number;
  /**
   * How long the new version is evaluated on that share.
   *
   * @default Duration.minutes(5)
   */
  readonly evaluationTime?: Duration;
}

export interface CustomStepsOptions extends ProgressiveOptions {
  /**
   * The steps, in order; after the last (and the analysis step that a background `analysis` adds), the
   * new version gets all traffic.
   */
  readonly steps: readonly RolloutStep[];
}

export interface BlueGreenOptions {
  /**
   * Switch traffic to the new version as soon as it is fully available.
   *
   * @default true
   */
  readonly autoPromotion?: boolean;
  /**
   * With autoPromotion, wait this long after the new version is available before switching.
   *
   * @default - switch at once
   */
  readonly autoPromotionDelay?: Duration;
  /**
   * How long the old version keeps running after the switch, for a fast rollback.
   *
   * @default Duration.seconds(30)
   */
  readonly scaleDownDelay?: Duration;
  /**
   * A preview Service that reaches the new version before the switch.
   *
   * @default true
   */
  readonly preview?: boolean;
  /**
   * The name of the preview Service.
   *
   * @default - the workload's name with "-preview"
   */
  readonly previewServiceName?: string;
  /**
   * Alarms measured before the switch; one that fires stops the switch.
   *
   * @default - none
   */
  readonly prePromotionAnalysis?: readonly Alarm[];
  /**
   * Alarms measured after the switch; one that fires switches back.
   *
   * @default - none
   */
  readonly postPromotionAnalysis?: readonly Alarm[];
  /**
   * The Prometheus the analyses query.
   *
   * @default DEFAULT_PROMETHEUS_ADDRESS
   */
  readonly prometheusAddress?: string;
}
