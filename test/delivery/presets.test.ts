import { AWS_PRESETS, CodeDeployDefault, ElasticBeanstalkPolicy } from '../../lib/delivery/presets.js';
import { deliver, deploymentStrategy, rolloutStrategy } from './helpers.js';

const canarySteps = (percent: number, minutes: number) => [
  { setWeight: percent },
  { pause: { duration: `${minutes}m` } },
];
const linearSteps = (percent: number, minutes: number) =>
  Array.from({ length: 100 / percent - 1 }, (_, i) => [
    { setWeight: percent * (i + 1) },
    { pause: { duration: `${minutes}m` } },
  ]).flat();

test.each([
  ['ECS_CANARY_10PERCENT_5MINUTES', CodeDeployDefault.ECS_CANARY_10PERCENT_5MINUTES, canarySteps(10, 5)],
  ['ECS_CANARY_10PERCENT_15MINUTES', CodeDeployDefault.ECS_CANARY_10PERCENT_15MINUTES, canarySteps(10, 15)],
  [
    'ECS_LINEAR_10PERCENT_EVERY_1MINUTES',
    CodeDeployDefault.ECS_LINEAR_10PERCENT_EVERY_1MINUTES,
    linearSteps(10, 1),
  ],
  [
    'ECS_LINEAR_10PERCENT_EVERY_3MINUTES',
    CodeDeployDefault.ECS_LINEAR_10PERCENT_EVERY_3MINUTES,
    linearSteps(10, 3),
  ],
  [
    'LAMBDA_CANARY_10PERCENT_5MINUTES',
    CodeDeployDefault.LAMBDA_CANARY_10PERCENT_5MINUTES,
    canarySteps(10, 5),
  ],
  [
    'LAMBDA_CANARY_10PERCENT_10MINUTES',
    CodeDeployDefault.LAMBDA_CANARY_10PERCENT_10MINUTES,
    canarySteps(10, 10),
  ],
  [
    'LAMBDA_CANARY_10PERCENT_15MINUTES',
    CodeDeployDefault.LAMBDA_CANARY_10PERCENT_15MINUTES,
    canarySteps(10, 15),
  ],
  [
    'LAMBDA_CANARY_10PERCENT_30MINUTES',
    CodeDeployDefault.LAMBDA_CANARY_10PERCENT_30MINUTES,
    canarySteps(10, 30),
  ],
  [
    'LAMBDA_LINEAR_10PERCENT_EVERY_1MINUTE',
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_1MINUTE,
    linearSteps(10, 1),
  ],
  [
    'LAMBDA_LINEAR_10PERCENT_EVERY_2MINUTES',
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_2MINUTES,
    linearSteps(10, 2),
  ],
  [
    'LAMBDA_LINEAR_10PERCENT_EVERY_3MINUTES',
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_3MINUTES,
    linearSteps(10, 3),
  ],
  [
    'LAMBDA_LINEAR_10PERCENT_EVERY_10MINUTES',
    CodeDeployDefault.LAMBDA_LINEAR_10PERCENT_EVERY_10MINUTES,
    linearSteps(10, 10),
  ],
  ['ElasticBeanstalk TRAFFIC_SPLITTING', ElasticBeanstalkPolicy.TRAFFIC_SPLITTING, canarySteps(10, 5)],
])('%s: every step, weight and pause', (_name, preset, steps) => {
  expect(rolloutStrategy(deliver(preset))).toEqual({ canary: { steps } });
});

test('a linear preset shifts 10% at a time: 9 increments, 9 waits, then all traffic', () => {
  const steps = rolloutStrategy(deliver(CodeDeployDefault.ECS_LINEAR_10PERCENT_EVERY_3MINUTES)).canary.steps;
  expect(steps.filter((s: any) => s.setWeight).map((s: any) => s.setWeight)).toEqual([
    10, 20, 30, 40, 50, 60, 70, 80, 90,
  ]);
  expect(steps.filter((s: any) => s.pause)).toHaveLength(9);
});

test.each([
  ['CodeDeploy ALL_AT_ONCE', CodeDeployDefault.ALL_AT_ONCE, { type: 'Recreate' }],
  [
    'CodeDeploy HALF_AT_A_TIME',
    CodeDeployDefault.HALF_AT_A_TIME,
    { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } },
  ],
  [
    'CodeDeploy ONE_AT_A_TIME',
    CodeDeployDefault.ONE_AT_A_TIME,
    { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
  ],
  ['ElasticBeanstalk ALL_AT_ONCE', ElasticBeanstalkPolicy.ALL_AT_ONCE, { type: 'Recreate' }],
  [
    'ElasticBeanstalk ROLLING',
    ElasticBeanstalkPolicy.ROLLING,
    { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '30%', maxSurge: 0 } },
  ],
  [
    'ElasticBeanstalk ROLLING_WITH_ADDITIONAL_BATCH',
    ElasticBeanstalkPolicy.ROLLING_WITH_ADDITIONAL_BATCH,
    { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '30%' } },
  ],
])('%s: the Deployment strategy', (_name, preset, strategy) => {
  expect(deploymentStrategy(deliver(preset))).toEqual(strategy);
});

test('ElasticBeanstalk IMMUTABLE: the full new version beside the old, then all traffic at once', () => {
  expect(rolloutStrategy(deliver(ElasticBeanstalkPolicy.IMMUTABLE))).toEqual({
    blueGreen: { activeService: 'api', autoPromotionEnabled: true, scaleDownDelaySeconds: 30 },
  });
});

test('every preset is listed under its exact AWS name', () => {
  expect(Object.keys(AWS_PRESETS)).toEqual([
    'CodeDeployDefault.AllAtOnce',
    'CodeDeployDefault.HalfAtATime',
    'CodeDeployDefault.OneAtATime',
    'CodeDeployDefault.ECSCanary10Percent5Minutes',
    'CodeDeployDefault.ECSCanary10Percent15Minutes',
    'CodeDeployDefault.ECSLinear10PercentEvery1Minutes',
    'CodeDeployDefault.ECSLinear10PercentEvery3Minutes',
    'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    'CodeDeployDefault.LambdaCanary10Percent10Minutes',
    'CodeDeployDefault.LambdaCanary10Percent15Minutes',
    'CodeDeployDefault.LambdaCanary10Percent30Minutes',
    'CodeDeployDefault.LambdaLinear10PercentEvery1Minute',
    'CodeDeployDefault.LambdaLinear10PercentEvery2Minutes',
    'CodeDeployDefault.LambdaLinear10PercentEvery3Minutes',
    'CodeDeployDefault.LambdaLinear10PercentEvery10Minutes',
    'ElasticBeanstalk.AllAtOnce',
    'ElasticBeanstalk.Rolling',
    'ElasticBeanstalk.RollingWithAdditionalBatch',
    'ElasticBeanstalk.Immutable',
    'ElasticBeanstalk.TrafficSplitting',
  ]);
  expect(AWS_PRESETS['CodeDeployDefault.LambdaCanary10Percent30Minutes']).toBe(
    CodeDeployDefault.LAMBDA_CANARY_10PERCENT_30MINUTES,
  );
});

test('a preset serves many workloads', () => {
  const preset = CodeDeployDefault.ECS_CANARY_10PERCENT_5MINUTES;
  expect(rolloutStrategy(deliver(preset))).toEqual(rolloutStrategy(deliver(preset)));
});
