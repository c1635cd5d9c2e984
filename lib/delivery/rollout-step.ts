import type { Duration } from 'cdk8s';
import type { AnalysisTemplate, RolloutSpecStrategyCanarySteps } from '../../imports/argoproj.io.js';
import { RolloutSpecStrategyCanaryStepsPauseDuration } from '../../imports/argoproj.io.js';
import type { Alarm } from '../alarms/alarm.js';
import { analysisReference } from './analysis.js';

export const STEP_KINDS = ['setWeight', 'pause', 'analysis', 'setCanaryScale'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface CanaryScaleOptions {
  /**
   * Run the canary at this share (percent) of the desired replicas, whatever its traffic weight.
   *
   * @default - not set
   */
  readonly weight?: number;
  /**
   * Run exactly this many canary pods.
   *
   * @default - not set
   */
  readonly replicas?: number;
  /**
   * Scale the canary with its traffic weight again (the default behaviour).
   *
   * @default false
   */
  readonly matchTrafficWeight?: boolean;
}

/** One step of a canary rollout (Argo Rollouts `spec.strategy.canary.steps[]`). */
export class RolloutStep {
  /** Sends `percent` of the traffic to the new version. */
  public static setWeight(percent: number): RolloutStep {
    return new RolloutStep('setWeight', { weight: percent });
  }

  /** Waits `duration`, or, without one, until someone promotes the rollout: a manual approval gate. */
  public static pause(duration?: Duration): RolloutStep {
    return new RolloutStep('pause', { duration });
  }

  /** Runs the alarms as an analysis; the rollout goes on only if none fires. */
  public static analysis(alarms: readonly Alarm[]): RolloutStep {
    return new RolloutStep('analysis', { alarms });
  }

  /** Scales the canary independently of its traffic weight (needs a traffic router). */
  public static setCanaryScale(options: CanaryScaleOptions): RolloutStep {
    return new RolloutStep('setCanaryScale', { scale: options });
  }

  private constructor(
    public readonly kind: StepKind,
    private readonly values: {
      readonly weight?: number;
      readonly duration?: Duration;
      readonly alarms?: readonly Alarm[];
      readonly scale?: CanaryScaleOptions;
    },
  ) {}

  /** The traffic weight of a setWeight step. */
  public get weight(): number | undefined {
    return this.values.weight;
  }

  /** The wait of a pause step; undefined for an indefinite pause. */
  public get duration(): Duration | undefined {
    return this.values.duration;
  }

  /** The alarms of an analysis step. */
  public get alarms(): readonly Alarm[] {
    return this.values.alarms ?? [];
  }

  /** @internal the step as Argo Rollouts takes it; an analysis step runs `analysis`, made for its alarms. */
  public _toStep(analysis?: AnalysisTemplate): RolloutSpecStrategyCanarySteps {
    switch (this.kind) {
      case 'setWeight':
        return { setWeight: this.values.weight };
      case 'pause':
        return {
          pause: this.values.duration
            ? {
                duration: RolloutSpecStrategyCanaryStepsPauseDuration.fromString(
                  formatDuration(this.values.duration),
                ),
              }
            : {},
        };
      case 'analysis':
        return { analysis: analysisReference(analysis!) };
      case 'setCanaryScale':
        return { setCanaryScale: { ...this.values.scale } };
    }
  }
}

/** Argo's duration strings: whole minutes as "5m", anything else in seconds. */
export function formatDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}
