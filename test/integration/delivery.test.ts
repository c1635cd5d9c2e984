import type { V1Pod } from '@kubernetes/client-node';
import { AppsV1Api, Watch } from '@kubernetes/client-node';
import { Chart, Testing } from 'cdk8s';
import type { Manifest } from '../../client/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { AWS_PRESETS, CodeDeployDefault, ElasticBeanstalkPolicy } from '../../lib/delivery/presets.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { TrafficRouter } from '../../lib/delivery/traffic-router.js';
import { Alarm } from '../../lib/monitoring/alarm.js';
import { testApp } from '../util/synth.js';
import { createNamespace, describeCluster, eventually, serverSideApply, testKubeConfig } from './cluster.js';

const image = (tag: string) => `ghcr.io/acme/api:${tag}`;
const alarms = [Alarm.errorRate({ threshold: 0.05 }), Alarm.latency({ thresholdSeconds: 0.5 })];

function chartIn(namespace: string): Chart {
  return new Chart(testApp(), 'delivery', { namespace });
}

describeCluster('deployment strategies on a real control plane', () => {
  const kc = testKubeConfig();

  test('every Argo preset, and every option that adds objects, is accepted by the Argo Rollouts CRD schemas', async () => {
    const namespace = await createNamespace('presets');
    const chart = chartIn(namespace);
    const progressive = Object.entries(AWS_PRESETS).filter(([, preset]) => preset.kind !== 'in-place');
    progressive.forEach(
      ([, preset], i) => new WebService(chart, `preset-${i}`, { image: image('1.0.0'), strategy: preset }),
    );
    const ingress = { host: 'shop.example.com', className: 'nginx' };
    new WebService(chart, 'blue-green', {
      image: image('1.0.0'),
      autoscaling: { maxReplicas: 4 },
      strategy: DeploymentStrategy.blueGreen({
        autoPromotion: false,
        prePromotionAnalysis: alarms,
        postPromotionAnalysis: alarms,
      }),
    });
    new WebService(chart, 'canary-nginx', {
      image: image('1.0.0'),
      ingress,
      strategy: DeploymentStrategy.trafficSplitting({
        trafficRouter: TrafficRouter.nginx(),
        analysis: alarms,
      }),
    });
    new WebService(chart, 'canary-alb', {
      image: image('1.0.0'),
      ingress,
      strategy: DeploymentStrategy.custom({
        trafficRouter: TrafficRouter.alb(),
        steps: [
          RolloutStep.setWeight(10),
          RolloutStep.pause(),
          RolloutStep.analysis(alarms),
          RolloutStep.setCanaryScale({ replicas: 2 }),
        ],
      }),
    });
    const objects = Testing.synth(chart) as Manifest[];
    const applied = await serverSideApply(objects);

    const kinds = (kind: string) => applied.filter((o) => o.kind === kind);
    expect(kinds('Rollout')).toHaveLength(progressive.length + 3);
    expect(
      kinds('AnalysisTemplate')
        .map((t) => t.metadata.name)
        .sort(),
    ).toEqual([
      'blue-green-post-promotion',
      'blue-green-pre-promotion',
      'canary-alb-step-3',
      'canary-nginx-alarms',
    ]);
    for (const rollout of kinds('Rollout')) {
      const original = objects.find(
        (o) => o.kind === 'Rollout' && o.metadata.name === rollout.metadata.name,
      )!;
      // What the server stored is what was sent: the schema pruned nothing.
      expect(rollout.spec).toEqual(original.spec);
      expect(rollout.metadata.uid).toBeTruthy();
    }
  });

  /** Rolls a 4-replica WebService with `strategy` to a new image, recording every pod state on the way. */
  async function observeRollout(strategy: DeploymentStrategy) {
    const namespace = await createNamespace('inplace');
    const build = (tag: string) => {
      const chart = chartIn(namespace);
      new WebService(chart, 'api', { image: image(tag), replicas: 4, strategy });
      return Testing.synth(chart) as Manifest[];
    };
    const apps = kc.makeApiClient(AppsV1Api);
    const rolledOut = (tag: string) =>
      eventually(`api to run 4 ready pods of ${tag}`, async () => {
        const d = await apps.readNamespacedDeployment({ name: 'api', namespace });
        const s = d.status;
        return d.spec?.template.spec?.containers[0].image === image(tag) &&
          s?.observedGeneration === d.metadata?.generation &&
          s?.updatedReplicas === 4 &&
          s?.availableReplicas === 4 &&
          s?.replicas === 4
          ? d
          : undefined;
      });
    await serverSideApply(build('1.0.0'));
    await rolledOut('1.0.0');

    const pods = new Map<string, V1Pod>();
    const samples: { total: number; ready: number; images: Set<string> }[] = [];
    const request = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      {},
      (phase: string, pod: V1Pod) => {
        if (phase === 'DELETED' || pod.metadata?.deletionTimestamp) {
          pods.delete(pod.metadata!.name!);
        } else {
          pods.set(pod.metadata!.name!, pod);
        }
        const live = [...pods.values()];
        samples.push({
          total: live.length,
          ready: live.filter((p) =>
            p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          ).length,
          images: new Set(live.map((p) => p.spec!.containers[0].image!)),
        });
      },
      () => {},
    );
    try {
      await eventually('the watch to list the pods', () => (pods.size === 4 ? true : undefined));
      await serverSideApply(build('2.0.0'));
      await rolledOut('2.0.0');
      await eventually('the old pods to go', () =>
        samples.at(-1)?.total === 4 && samples.at(-1)?.images.size === 1 ? true : undefined,
      );
    } finally {
      request.abort();
    }
    const after = samples.slice(samples.findIndex((s) => s.total === 4 && s.ready === 4));
    return {
      mostPods: Math.max(...after.map((s) => s.total)),
      fewestReady: Math.min(...after.map((s) => s.ready)),
      versionsSideBySide: after.some((s) => s.images.size > 1),
    };
  }

  test.each([
    ['CodeDeployDefault.OneAtATime', CodeDeployDefault.ONE_AT_A_TIME, { mostPods: 4, fewestReady: 3 }],
    ['CodeDeployDefault.HalfAtATime', CodeDeployDefault.HALF_AT_A_TIME, { mostPods: 4, fewestReady: 2 }],
    [
      'ElasticBeanstalk.Rolling (30% of 4 = 1 pod)',
      ElasticBeanstalkPolicy.ROLLING,
      { mostPods: 4, fewestReady: 3 },
    ],
    [
      'ElasticBeanstalk.RollingWithAdditionalBatch (30% of 4 = 2 extra pods)',
      ElasticBeanstalkPolicy.ROLLING_WITH_ADDITIONAL_BATCH,
      { mostPods: 6, fewestReady: 4 },
    ],
  ])('%s rolls to a new image within its bounds', async (_name, preset, bounds) => {
    const observed = await observeRollout(preset);
    expect({ mostPods: observed.mostPods, fewestReady: observed.fewestReady }).toEqual(bounds);
    expect(observed.versionsSideBySide).toBe(true);
  });

  test('CodeDeployDefault.AllAtOnce takes every old pod down before the new ones start', async () => {
    const observed = await observeRollout(CodeDeployDefault.ALL_AT_ONCE);
    expect(observed).toEqual({ mostPods: 4, fewestReady: 0, versionsSideBySide: false });
  });
});
