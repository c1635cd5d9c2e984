/**
 * The AWS deployment configurations and policies by their exact names and numbers, built from the same
 * factories users call. The table by AWS name (`AWS_PRESETS`) is derived from the constants' names.
 */
import { Duration } from 'cdk8s';
import { DeploymentStrategy } from './deployment-strategy.js';

const canary = (percent: number, minutes: number) =>
  DeploymentStrategy.canary({ percent, interval: Duration.minutes(minutes) });
const linear = (percent: number, minutes: number) =>
  DeploymentStrategy.linear({ percent, interval: Duration.minutes(minutes) });

/** CodeDeploy's predefined deployment configurations (EC2/on-premises, ECS and Lambda). */
export class CodeDeployDefault {
  /** Every pod replaced at once (Recreate). */
  public static readonly ALL_AT_ONCE = DeploymentStrategy.allAtOnce();
  /** Half the pods at a time, never above the desired count. */
  public static readonly HALF_AT_A_TIME = DeploymentStrategy.halfAtATime();
  /** One pod at a time, never above the desired count. */
  public static readonly ONE_AT_A_TIME = DeploymentStrategy.oneAtATime();
  /** 10% of the traffic for 5 minutes, then all of it. */
  public static readonly ECS_CANARY_10PERCENT_5MINUTES = canary(10, 5);
  /** 10% of the traffic for 15 minutes, then all of it. */
  public static readonly ECS_CANARY_10PERCENT_15MINUTES = canary(10, 15);
  /** 10% more of the traffic every minute. */
  public static readonly ECS_LINEAR_10PERCENT_EVERY_1MINUTES = linear(10, 1);
  /** 10% more of the traffic every 3 minutes. */
  public static readonly ECS_LINEAR_10PERCENT_EVERY_3MINUTES = linear(10, 3);
  /** 10% of the traffic for 5 minutes, then all of it. */
  public static readonly LAMBDA_CANARY_10PERCENT_5MINUTES = canary(10, 5);
  /** 10% of the traffic for 10 minutes, then all of it. */
  public static readonly LAMBDA_CANARY_10PERCENT_10MINUTES = canary(10, 10);
  /** 10% of the traffic for 15 minutes, then all of it. */
  public static readonly LAMBDA_CANARY_10PERCENT_15MINUTES = canary(10, 15);
  /** 10% of the traffic for 30 minutes, then all of it. */
  public static readonly LAMBDA_CANARY_10PERCENT_30MINUTES = canary(10, 30);
  /** 10% more of the traffic every minute. */
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_1MINUTE = linear(10, 1);
  /** 10% more of the traffic every 2 minutes. */
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_2MINUTES = linear(10, 2);
  /** 10% more of the traffic every 3 minutes. */
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_3MINUTES = linear(10, 3);
  /** 10% more of the traffic every 10 minutes. */
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_10MINUTES = linear(10, 10);

  private constructor() {}
}

/** Elastic Beanstalk's deployment policies, with its default batch size of 30 percent. */
export class ElasticBeanstalkPolicy {
  /** Every pod replaced at once (Recreate). */
  public static readonly ALL_AT_ONCE = DeploymentStrategy.allAtOnce();
  /** Batches of 30% of the pods taken down and replaced, never above the desired count. */
  public static readonly ROLLING = DeploymentStrategy.rolling({ maxUnavailable: '30%', maxSurge: 0 });
  /** A new batch of 30% first, so capacity never drops. */
  public static readonly ROLLING_WITH_ADDITIONAL_BATCH = DeploymentStrategy.rollingWithAdditionalBatch('30%');
  /** The new version in full beside the old, then all traffic switches at once. */
  public static readonly IMMUTABLE = DeploymentStrategy.immutable();
  /** The new version serves 10% of the traffic for 5 minutes, then all of it. */
  public static readonly TRAFFIC_SPLITTING = DeploymentStrategy.trafficSplitting();

  private constructor() {}
}

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';
/** One word of a constant's name as AWS writes it: "10PERCENT" -> "10Percent"; "ECS" stays. */
type AwsWord<W extends string> = W extends 'ECS'
  ? W
  : W extends `${infer C}${infer Rest}`
    ? C extends Digit
      ? `${C}${AwsWord<Rest>}`
      : `${C}${Lowercase<Rest>}`
    : W;
/** A constant's name as AWS writes it: "ECS_CANARY_10PERCENT_5MINUTES" -> "ECSCanary10Percent5Minutes". */
type AwsCase<S extends string> = S extends `${infer W}_${infer Rest}`
  ? `${AwsWord<W>}${AwsCase<Rest>}`
  : AwsWord<S>;
type PresetsOf<C, Prefix extends string> = {
  readonly [
    K in keyof C as K extends string
      ? C[K] extends DeploymentStrategy
        ? `${Prefix}.${AwsCase<K>}`
        : never
      : never
  ]: DeploymentStrategy;
};

function awsCase(constant: string): string {
  return constant
    .split('_')
    .map((word) =>
      word === 'ECS'
        ? word
        : word.replace(/^(\d*\D)(.*)$/, (_: string, head: string, rest: string) => head + rest.toLowerCase()),
    )
    .join('');
}

function presetsOf<C extends object, Prefix extends string>(
  presets: C,
  prefix: Prefix,
): PresetsOf<C, Prefix> {
  return Object.fromEntries(
    Object.entries(presets)
      .filter(([, value]) => value instanceof DeploymentStrategy)
      .map(([constant, preset]) => [`${prefix}.${awsCase(constant)}`, preset]),
  ) as PresetsOf<C, Prefix>;
}

/** Every preset by its AWS name, such as 'CodeDeployDefault.LambdaLinear10PercentEvery1Minute'. */
export const AWS_PRESETS = {
  ...presetsOf(CodeDeployDefault, 'CodeDeployDefault'),
  ...presetsOf(ElasticBeanstalkPolicy, 'ElasticBeanstalk'),
};

export type AwsPresetName = keyof typeof AWS_PRESETS;
