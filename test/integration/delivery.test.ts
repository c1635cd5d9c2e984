import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { AppsV1Api, CoreV1Api, Watch } from '@kubernetes/client-node';
import { Chart, Testing } from 'cdk8s';
import type { Manifest } from '../../client/transport/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { AWS_PRESETS, CodeDeployDefault, ElasticBeanstalkPolicy } from '../../lib/delivery/presets.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { TrafficRouter } from '../../lib/delivery/traffic-router.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { SurgeAll } from '../delivery/helpers.js';
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
      'canary-nginx-step-4',
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

  /**
   * Rolls a 4-replica WebService with `strategy` to a new image, recording every pod and ReplicaSet
   * change on the way.
   *
   * The strategy's bounds are what the Deployment controller keeps: the ReplicaSets' desired counts
   * (maxSurge above, maxUnavailable below). A pod beyond its ReplicaSet's desired count is on its way
   * out: the ReplicaSet controller deletes it in a sync of its own, which can come after the new
   * ReplicaSet's controller has already created the replacement (two ReplicaSets, two independent
   * syncs). Counted as a running pod, that moment showed 5 pods under ElasticBeanstalk.Rolling in 2 of
   * 20 runs on a loaded machine, while the ReplicaSets' counts never passed 4 (the old one already at 3
   * with its 4th pod not yet marked for deletion). So each sample counts at most a ReplicaSet's desired
   * number of its pods, as the Deployment controller does. The two
   * watches deliver their events on separate streams; they are replayed in resourceVersion order (etcd's
   * revision), so a pod is never counted against a ReplicaSet count older than the pod itself.
   */
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

    type Change = { version: number; phase: string; pod?: V1Pod; replicaSet?: V1ReplicaSet };
    const changes: Change[] = [];
    const record = (kind: 'pod' | 'replicaSet') => (phase: string, object: V1Pod | V1ReplicaSet) =>
      changes.push({ version: Number(object.metadata!.resourceVersion), phase, [kind]: object });
    const watch = new Watch(kc);
    const requests = [
      await watch.watch(`/api/v1/namespaces/${namespace}/pods`, {}, record('pod'), () => {}),
      await watch.watch(
        `/apis/apps/v1/namespaces/${namespace}/replicasets`,
        {},
        record('replicaSet'),
        () => {},
      ),
    ];
    const livePods = () => replay(changes).at(-1);
    try {
      await eventually('the watch to list the pods', () => (livePods()?.raw === 4 ? true : undefined));
      await serverSideApply(build('2.0.0'));
      await rolledOut('2.0.0');
      await eventually('the old pods to go', () => {
        const last = livePods();
        return last?.raw === 4 && last.images.size === 1 ? true : undefined;
      });
    } finally {
      requests.forEach((r) => r.abort());
    }
    const samples = replay(changes);
    const after = samples.slice(samples.findIndex((s) => s.total === 4 && s.ready === 4));
    return {
      namespace,
      mostPods: Math.max(...after.map((s) => s.total)),
      fewestReady: Math.min(...after.map((s) => s.ready)),
      versionsSideBySide: after.some((s) => s.images.size > 1),
    };
  }

  const ownerOf = (pod: V1Pod) => pod.metadata!.ownerReferences?.[0]?.name ?? '';

  /** The pods after each change, in resourceVersion order; terminating pods and pods beyond their ReplicaSet's count left out. */
  function replay(
    changes: readonly { version: number; phase: string; pod?: V1Pod; replicaSet?: V1ReplicaSet }[],
  ) {
    const pods = new Map<string, V1Pod>();
    const desired = new Map<string, number>();
    return [...changes]
      .sort((a, b) => a.version - b.version)
      .map(({ phase, pod, replicaSet }) => {
        if (replicaSet) {
          desired.set(replicaSet.metadata!.name!, replicaSet.spec?.replicas ?? 0);
        } else if (phase === 'DELETED' || pod!.metadata?.deletionTimestamp) {
          pods.delete(pod!.metadata!.name!);
        } else {
          pods.set(pod!.metadata!.name!, pod!);
        }
        const live = [...pods.values()];
        const isReady = (p: V1Pod) =>
          p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
        const owners = new Set(live.map(ownerOf));
        const kept = (count: (p: V1Pod) => boolean) =>
          [...owners].reduce((sum, owner) => {
            const counted = live.filter((p) => ownerOf(p) === owner && count(p)).length;
            return sum + Math.min(counted, desired.get(owner) ?? Number.MAX_SAFE_INTEGER);
          }, 0);
        return {
          raw: live.length,
          total: kept(() => true),
          ready: kept(isReady),
          images: new Set(live.map((p) => p.spec!.containers[0].image!)),
        };
      });
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

  test('a strategy of your own, written through the public bind, rolls within its bounds and adds its objects', async () => {
    const observed = await observeRollout(new SurgeAll());
    expect(observed).toMatchObject({ mostPods: 8, fewestReady: 4, versionsSideBySide: true });
    const policy = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: 'api-release-policy', namespace: observed.namespace });
    expect(policy.data).toEqual({ strategy: 'surge-all' });
  });

  test('CodeDeployDefault.AllAtOnce takes every old pod down before the new ones start', async () => {
    const observed = await observeRollout(CodeDeployDefault.ALL_AT_ONCE);
    expect(observed).toMatchObject({ mostPods: 4, fewestReady: 0, versionsSideBySide: false });
  });
});
