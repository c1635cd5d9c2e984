import { Duration } from 'cdk8s';
import { Worker } from '../../lib/apps/worker.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { TrafficRouter } from '../../lib/delivery/traffic-router.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { all, one, synth, testChart } from '../util/synth.js';
import { deliver, deploymentStrategy, image, rolloutStrategy } from './helpers.js';

const ingress = { host: 'api.example.com', className: 'nginx' };
const errorRate = Alarm.errorRate({ threshold: 0.05 });
/** What every Rollout passes its analyses: the pod template hash of the new version's pods. */
const canaryHash = [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }];

describe('in place', () => {
  test('rolling with custom bounds; no strategy keeps the Kubernetes default', () => {
    expect(
      deploymentStrategy(deliver(DeploymentStrategy.rolling({ maxUnavailable: 2, maxSurge: '50%' }))),
    ).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 2, maxSurge: '50%' },
    });
    const chart = testChart();
    new Worker(chart, 'plain', { image });
    expect(one(synth(chart), 'Deployment').spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' },
    });
  });

  test('rollingWithAdditionalBatch adds the batch before taking any pod down', () => {
    expect(deploymentStrategy(deliver(DeploymentStrategy.rollingWithAdditionalBatch(2)))).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 2 },
    });
  });

  test('works on a Worker too', () => {
    const chart = testChart();
    new Worker(chart, 'orders', { image, replicas: 3, strategy: DeploymentStrategy.oneAtATime() });
    expect(one(synth(chart), 'Deployment').spec.strategy.rollingUpdate).toEqual({
      maxUnavailable: 1,
      maxSurge: 0,
    });
  });
});

describe('on an Argo Rollout', () => {
  test('the Rollout takes over the Deployment pod template, which then runs no pods itself', () => {
    const objects = deliver(DeploymentStrategy.canary({ percent: 20, interval: Duration.minutes(2) }));
    const deployment = one(objects, 'Deployment', 'api');
    const rollout = one(objects, 'Rollout', 'api');
    expect(rollout.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(deployment.spec.replicas).toBe(0);
    expect(rollout.spec.replicas).toBe(4);
    expect(rollout.spec.selector).toEqual(deployment.spec.selector);
    expect(rollout.spec.workloadRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: 'api',
      scaleDown: 'never',
    });
    expect(rollout.spec.strategy.canary.steps).toEqual([{ setWeight: 20 }, { pause: { duration: '2m' } }]);
  });

  test('an autoscaler scales the Rollout instead of the Deployment', () => {
    const objects = deliver(DeploymentStrategy.blueGreen(), { autoscaling: { maxReplicas: 5 } });
    expect(one(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      name: 'api',
    });
    expect(one(objects, 'Rollout').spec.replicas).toBeUndefined();
  });

  test('blue/green: active and preview Services, manual promotion with analyses before and after', () => {
    const objects = deliver(
      DeploymentStrategy.blueGreen({
        autoPromotion: false,
        scaleDownDelay: Duration.minutes(10),
        prePromotionAnalysis: [errorRate],
        postPromotionAnalysis: [Alarm.latency({ thresholdSeconds: 0.25, quantile: 0.95 })],
      }),
    );
    expect(rolloutStrategy(objects)).toEqual({
      blueGreen: {
        activeService: 'api',
        previewService: 'api-preview',
        autoPromotionEnabled: false,
        scaleDownDelaySeconds: 600,
        prePromotionAnalysis: { templates: [{ templateName: 'api-pre-promotion' }], args: canaryHash },
        postPromotionAnalysis: { templates: [{ templateName: 'api-post-promotion' }], args: canaryHash },
      },
    });
    const preview = one(objects, 'Service', 'api-preview');
    expect(preview.spec.selector).toEqual(one(objects, 'Service', 'api').spec.selector);
    expect(preview.spec.ports).toEqual(one(objects, 'Service', 'api').spec.ports);
    expect(one(objects, 'AnalysisTemplate', 'api-post-promotion').spec.metrics[0]).toMatchObject({
      name: 'latency-p95',
      failureCondition: 'len(result) == 0 || isNaN(result[0]) || result[0] > 0.25',
    });
  });

  test('analyses that gate a promotion or a step end: each metric takes its measurements (Argo rejects one that runs indefinitely)', () => {
    const gated = [
      deliver(
        DeploymentStrategy.blueGreen({
          prePromotionAnalysis: [errorRate],
          postPromotionAnalysis: [errorRate],
        }),
      ),
      deliver(
        DeploymentStrategy.custom({ steps: [RolloutStep.setWeight(10), RolloutStep.analysis([errorRate])] }),
      ),
    ].flatMap((objects) => objects.filter((o) => o.kind === 'AnalysisTemplate'));
    expect(gated.map((t) => t.metadata.name)).toEqual([
      'api-pre-promotion',
      'api-post-promotion',
      'api-step-2',
    ]);
    for (const template of gated) {
      expect(template.spec.metrics[0]).toMatchObject({ interval: '1m', count: 5 });
    }
    const custom = Alarm.errorRate({ threshold: 0.1, interval: '10s', measurements: 3 });
    const [pre] = deliver(DeploymentStrategy.blueGreen({ prePromotionAnalysis: [custom] })).filter(
      (o) => o.kind === 'AnalysisTemplate',
    );
    expect(pre.spec.metrics[0]).toMatchObject({ interval: '10s', count: 3 });
  });

  test('blue/green auto-promotion after a delay', () => {
    const strategy = rolloutStrategy(
      deliver(DeploymentStrategy.blueGreen({ autoPromotionDelay: Duration.seconds(90) })),
    );
    expect(strategy.blueGreen).toMatchObject({ autoPromotionEnabled: true, autoPromotionSeconds: 90 });
  });

  test('canary alarms become an AnalysisTemplate run in the background, with the Prometheus provider', () => {
    const objects = deliver(
      DeploymentStrategy.canary({
        percent: 10,
        interval: Duration.minutes(5),
        analysis: [errorRate, Alarm.latency({ thresholdSeconds: 0.5 })],
      }),
    );
    expect(rolloutStrategy(objects).canary.analysis).toEqual({
      templates: [{ templateName: 'api-alarms' }],
      args: canaryHash,
    });
    const template = one(objects, 'AnalysisTemplate', 'api-alarms');
    expect(template.metadata.namespace).toBe('test');
    expect(template.spec.args).toEqual([{ name: 'canary-hash', value: '.+' }]);
    expect(template.spec.metrics).toEqual([
      {
        name: 'error-rate',
        interval: '1m',
        initialDelay: '5m',
        failureCondition: 'len(result) == 0 || isNaN(result[0]) || result[0] > 0.05',
        failureLimit: 0,
        provider: {
          prometheus: {
            address: 'http://prometheus-operated.monitoring.svc:9090',
            query:
              '(sum(rate(http_requests_total{namespace="test",rollouts_pod_template_hash=~"{{args.canary-hash}}",code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{namespace="test",rollouts_pod_template_hash=~"{{args.canary-hash}}"}[5m]))',
          },
        },
      },
      {
        name: 'latency-p99',
        interval: '1m',
        initialDelay: '5m',
        failureCondition: 'len(result) == 0 || isNaN(result[0]) || result[0] > 0.5',
        failureLimit: 0,
        provider: {
          prometheus: {
            address: 'http://prometheus-operated.monitoring.svc:9090',
            query:
              'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="test",rollouts_pod_template_hash=~"{{args.canary-hash}}"}[5m])))',
          },
        },
      },
    ]);
  });

  test('an alarm measures the whole service on request, with its own interval and window', () => {
    const objects = deliver(
      DeploymentStrategy.canary({
        percent: 10,
        interval: Duration.minutes(5),
        analysis: [Alarm.errorRate({ threshold: 0.05, measure: 'service', interval: '5s', window: '30s' })],
      }),
    );
    expect(one(objects, 'AnalysisTemplate').spec.metrics[0]).toMatchObject({
      interval: '5s',
      provider: {
        prometheus: {
          query:
            '(sum(rate(http_requests_total{namespace="test",service="api",code=~"5.."}[30s])) or vector(0)) / sum(rate(http_requests_total{namespace="test",service="api"}[30s]))',
        },
      },
    });
  });

  test.each([
    [{ interval: '1 minute' }, 'interval must be a duration like "30s" or "5m", got "1 minute"'],
    [{ window: '5' }, 'window must be a duration like "30s" or "5m", got "5"'],
    [{ measurements: 0 }, 'measurements must be a whole number 1 or more, got 0'],
  ])('alarm timing %j is checked', (timing, message) => {
    expect(() =>
      deliver(
        DeploymentStrategy.canary({
          percent: 10,
          interval: Duration.minutes(5),
          analysis: [Alarm.errorRate({ threshold: 0.05, ...timing })],
        }),
      ),
    ).toThrow(`alarm "error-rate" ${message}`);
  });

  test('any PromQL alarm, compared either way', () => {
    const queueDepth = Alarm.promql({
      name: 'queue-depth',
      query: 'max(queue_depth{service="{{service}}"})',
      threshold: 1000,
      comparison: '>=',
    });
    const objects = deliver(
      DeploymentStrategy.canary({
        percent: 10,
        interval: Duration.minutes(1),
        analysis: [queueDepth],
        prometheusAddress: 'http://prom:9090',
      }),
    );
    expect(one(objects, 'AnalysisTemplate').spec.metrics[0]).toMatchObject({
      failureCondition: 'len(result) == 0 || isNaN(result[0]) || result[0] >= 1000',
      provider: { prometheus: { address: 'http://prom:9090', query: 'max(queue_depth{service="api"})' } },
    });
  });

  test('custom steps: weights, a timed pause, a manual approval gate, an analysis step', () => {
    const objects = deliver(
      DeploymentStrategy.custom({
        steps: [
          RolloutStep.setWeight(5),
          RolloutStep.pause(Duration.seconds(90)),
          RolloutStep.analysis([errorRate]),
          RolloutStep.setWeight(50),
          RolloutStep.pause(),
        ],
      }),
    );
    expect(rolloutStrategy(objects).canary.steps).toEqual([
      { setWeight: 5 },
      { pause: { duration: '90s' } },
      { analysis: { templates: [{ templateName: 'api-step-3' }], args: canaryHash } },
      { setWeight: 50 },
      { pause: {} },
    ]);
    expect(one(objects, 'AnalysisTemplate', 'api-step-3').spec.metrics[0].name).toBe('error-rate');
  });

  test('the NGINX router splits at the Ingress between a stable and a canary Service', () => {
    const objects = deliver(
      DeploymentStrategy.canary({
        percent: 10,
        interval: Duration.minutes(5),
        trafficRouter: TrafficRouter.nginx(),
      }),
      { ingress },
    );
    expect(rolloutStrategy(objects).canary).toMatchObject({
      stableService: 'api',
      canaryService: 'api-canary',
      trafficRouting: { nginx: { stableIngress: 'api' } },
    });
    expect(one(objects, 'Service', 'api-canary').spec.selector).toEqual(
      one(objects, 'Service', 'api').spec.selector,
    );
  });

  test('the ALB router names the Ingress and the service port', () => {
    const objects = deliver(
      DeploymentStrategy.linear({
        percent: 25,
        interval: Duration.minutes(1),
        trafficRouter: TrafficRouter.alb(),
      }),
      {
        ingress,
        servicePort: 8443,
      },
    );
    expect(rolloutStrategy(objects).canary.trafficRouting).toEqual({
      alb: { ingress: 'api', servicePort: 8443 },
    });
    expect(
      rolloutStrategy(objects)
        .canary.steps.filter((s: any) => s.setWeight)
        .map((s: any) => s.setWeight),
    ).toEqual([25, 50, 75]);
  });

  test('traffic splitting with a router runs the new version at full capacity', () => {
    const objects = deliver(
      DeploymentStrategy.trafficSplitting({
        percent: 15,
        evaluationTime: Duration.minutes(10),
        trafficRouter: TrafficRouter.nginx(),
      }),
      {
        ingress,
      },
    );
    expect(rolloutStrategy(objects).canary.steps).toEqual([
      { setCanaryScale: { weight: 100 } },
      { setWeight: 15 },
      { pause: { duration: '10m' } },
    ]);
  });

  test('without a router, no extra Service is made: weights are approximated by pod counts', () => {
    const objects = deliver(DeploymentStrategy.canary({ percent: 25, interval: Duration.minutes(1) }));
    expect(all(objects, 'Service').map((s) => s.metadata.name)).toEqual(['api']);
    expect(rolloutStrategy(objects).canary.trafficRouting).toBeUndefined();
  });
});

describe('validation', () => {
  const minutes = Duration.minutes(1);
  test.each([
    [
      'weights that fall',
      () =>
        deliver(DeploymentStrategy.custom({ steps: [RolloutStep.setWeight(30), RolloutStep.setWeight(20)] })),
      'test/api: weights must rise and stay within 1..100, but step 2 sets 20 after 30. Order the setWeight steps from low to high, each a whole percent from 1 to 100',
    ],
    [
      'a weight above 100',
      () => deliver(DeploymentStrategy.custom({ steps: [RolloutStep.setWeight(120)] })),
      'test/api: weights must rise and stay within 1..100, but step 1 sets 120 after 0. Order the setWeight steps from low to high, each a whole percent from 1 to 100',
    ],
    [
      'a canary percent of 0',
      () => deliver(DeploymentStrategy.canary({ percent: 0, interval: minutes })),
      'test/api: canary percent must be a whole number between 1 and 99, got 0. Shift part of the traffic first; use allAtOnce to shift all of it',
    ],
    [
      'a linear percent of 100',
      () => deliver(DeploymentStrategy.linear({ percent: 100, interval: minutes })),
      'test/api: linear percent must be a whole number between 1 and 99, got 100. Shift part of the traffic first; use allAtOnce to shift all of it',
    ],
    [
      'a pause of no time',
      () => deliver(DeploymentStrategy.canary({ percent: 10, interval: Duration.seconds(0) })),
      'test/api: the pause of step 2 must be a positive duration, got 0s. Give it a duration above 0',
    ],
    [
      'blue/green with one Service for both',
      () => deliver(DeploymentStrategy.blueGreen({ previewServiceName: 'api' })),
      'test/api: blue/green needs two distinct Services, but the preview Service is named like the active one, "api". Give previewServiceName another name',
    ],
    [
      'blue/green without a Service',
      () => new Worker(testChart(), 'api', { image, strategy: DeploymentStrategy.blueGreen() }),
      'test/api: blue/green switches a Service between versions, and this workload has none. Use a WebService',
    ],
    [
      'a traffic router without its Ingress',
      () =>
        deliver(
          DeploymentStrategy.canary({ percent: 10, interval: minutes, trafficRouter: TrafficRouter.alb() }),
        ),
      "test/api: the alb traffic router splits traffic at the WebService's Ingress, and this workload has none. Set ingress on the WebService, or drop trafficRouter to split by pod counts",
    ],
    [
      'a background analysis without a metric',
      () => deliver(DeploymentStrategy.canary({ percent: 10, interval: minutes, analysis: [] })),
      'test/api: analysis needs a metric, but the background analysis has no alarms. Give it at least one Alarm',
    ],
    [
      'an analysis step without a metric',
      () =>
        deliver(DeploymentStrategy.custom({ steps: [RolloutStep.setWeight(10), RolloutStep.analysis([])] })),
      'test/api: analysis needs a metric, but the analysis of step 2 has no alarms. Give it at least one Alarm',
    ],
    [
      'setCanaryScale without a router',
      () =>
        deliver(
          DeploymentStrategy.custom({
            steps: [RolloutStep.setCanaryScale({ weight: 100 }), RolloutStep.setWeight(10)],
          }),
        ),
      'test/api: step 1 sets the canary scale, which only a traffic router can keep apart from the weight. Add a trafficRouter, or drop the setCanaryScale step',
    ],
    [
      'a rolling update that can never move',
      () => deliver(DeploymentStrategy.rolling({ maxUnavailable: 0, maxSurge: '0%' })),
      'test/api: a rolling update with maxUnavailable 0 and maxSurge 0 can never replace a pod. Let at least one of them be above 0',
    ],
    [
      'a pod count that is neither',
      () => deliver(DeploymentStrategy.rolling({ maxSurge: '150%' })),
      'test/api: maxSurge must be a whole number of pods or a percentage like "25%", got "150%". Use 0 or more pods, or 0% to 100%',
    ],
    [
      'two alarms of one name',
      () =>
        deliver(
          DeploymentStrategy.canary({ percent: 10, interval: minutes, analysis: [errorRate, errorRate] }),
        ),
      'test/api: the background analysis has two alarms named "error-rate". Give each alarm its own name',
    ],
  ])('%s is refused', (_name, build, message) => {
    expect(build).toThrow(new Error(message));
  });
});
