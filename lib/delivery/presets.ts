/**
 * The AWS deployment configurations and policies by their exact names and numbers, built from the same
 * factories users call.
 */
import { Duration } from 'cdk8s';
import { DeploymentStrategy } from './deployment-strategy.js';

const canary = (percent: number, minutes: number) =>
  DeploymentStrategy.canary({ percent, interval: Duration.minutes(minutes) });
const linear = (percent: number, minutes: number) =>
  DeploymentStrategy.linear({ percent, interval: Duration.minutes(minutes) });

/** CodeDeploy's predefined deployment configurations (EC2/on-premises, ECS and Lambda). */
export class CodeDeployDefault {
  public static readonly ALL_AT_ONCE = DeploymentStrategy.allAtOnce();
  public static readonly HALF_AT_A_TIME = DeploymentStrategy.halfAtATime();
  public static readonly ONE_AT_A_TIME = DeploymentStrategy.oneAtATime();
  public static readonly ECS_CANARY_10PERCENT_5MINUTES = canary(10, 5);
  public static readonly ECS_CANARY_10PERCENT_15MINUTES = canary(10, 15);
  public static readonly ECS_LINEAR_10PERCENT_EVERY_1MINUTES = linear(10, 1);
  public static readonly ECS_LINEAR_10PERCENT_EVERY_3MINUTES = linear(10, 3);
  public static readonly LAMBDA_CANARY_10PERCENT_5MINUTES = canary(10, 5);
  public static readonly LAMBDA_CANARY_10PERCENT_10MINUTES = canary(10, 10);
  public static readonly LAMBDA_CANARY_10PERCENT_15MINUTES = canary(10, 15);
  public static readonly LAMBDA_CANARY_10PERCENT_30MINUTES = canary(10, 30);
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_1MINUTE = linear(10, 1);
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_2MINUTES = linear(10, 2);
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_3MINUTES = linear(10, 3);
  public static readonly LAMBDA_LINEAR_10PERCENT_EVERY_10MINUTES = linear(10, 10);

  private constructor() {}
}

/** Elastic Beanstalk's deployment policies, with its default batch size of 30 percent. */
export class ElasticBeanstalkPolicy {
  public static readonly ALL_AT_ONCE = DeploymentStrategy.allAtOnce();
  public static readonly ROLLING = DeploymentStrategy.rolling({ maxUnavailable: '30%', maxSurge: 0 });
  public static readonly ROLLING_WITH_ADDITIONAL_BATCH = DeploymentStrategy.rollingWithAdditionalBatch('30%');
  public static readonly IMMUTABLE = DeploymentStrategy.immutable();
  public static readonly TRAFFIC_SPLITTING = DeploymentStrategy.trafficSplitting();

  private constructor() {}
}

/** Every preset by its AWS name, for teams that think in those names. */
export const AWS_PRESETS = {
  'CodeDeployDefault.AllAtOnce': CodeDeployDefault.ALL_AT_ONCE,
  'CodeDeployDefault.HalfAtATime': CodeDeployDefault.HALF_AT_A_TIME,
  'CodeDeployDefault.OneAtATime': CodeDeployDefault.ONE_AT_A_TIME,
  'CodeDeployDefault.ECSCanary10Percent5Minutes': CodeDeployDefault.ECS_CANARY_10PERCENT_5MINUTES,
  'CodeDeployDefault.ECSCanary10Percent15Minutes': CodeDeployDefault.ECS_CANARY_10PERCENT_15MINUTES,
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': CodeDeployDefault.ECS_LINEAR_10PERCENT_EVERY_1MINUTES,
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': CodeDeployDefault.ECS_LINEAR_10PERCENT_EVERY_3MINUTES,
  'CodeDeployDefault.LambdaCanary10Percent5Minutes': CodeDeployDefault.LAMBDA_CANARY_10PERCENT_5MINUTES,
  'CodeDeployDefault.LambdaCanary10Percent10Minutes': CodeDeployDefault.LAMBDA_CANARY_10PERCENT_10MINUTES,
  'CodeDeployDefault.LambdaCanary10Percent15Minutes': CodeDeployDefault.LAMBDA_CANARY_10PERCENT_15MINUTES,
  'CodeDeployDefault.LambdaCanary10Percent30Minutes': CodeDeployDefault.LAMBDA_CANARY_10PERCENT_30MINUTES,
  'CodeDeployDefault.LambdaLinear10PercentEvery1Minute':
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_1MINUTE,
  'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes':
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_2MINUTES,
  'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes':
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_3MINUTES,
  'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes':
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_10MINUTES,
  'ElasticBeanstalk.AllAtOnce': ElasticBeanstalkPolicy.ALL_AT_ONCE,
  'ElasticBeanstalk.Rolling': ElasticBeanstalkPolicy.ROLLING,
  'ElasticBeanstalk.RollingWithAdditionalBatch': ElasticBeanstalkPolicy.ROLLING_WITH_ADDITIONAL_BATCH,
  'ElasticBeanstalk.Immutable': ElasticBeanstalkPolicy.IMMUTABLE,
  'ElasticBeanstalk.TrafficSplitting': ElasticBeanstalkPolicy.TRAFFIC_SPLITTING,
} as const satisfies Record<string, DeploymentStrategy>;

export type AwsPresetName = keyof typeof AWS_PRESETS;
