/**
 * Every progressive preset and option, on the real Argo Rollouts controller and Prometheus: the first
 * revision becomes Healthy with no InvalidSpec, and a second one goes through every step, pause and
 * analysis to Healthy (Argo skips the steps of a first rollout, so the first alone proves little).
 */
import type { Chart } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import type { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { DeploymentStrategy as Strategy } from '../../lib/delivery/deployment-strategy.js';
import { AWS_PRESETS } from '../../lib/delivery/presets.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { TrafficRouter } from '../../lib/delivery/traffic-router.js';
import { createNamespace } from './cluster.js';
import {
  analysisRuns,
  apply,
  describeRollouts,
  fastErrorRate,
  monitor,
  prometheusAddress,
  promoteThroughPauses,
  readRollout,
  synthApp,
  watch,
} from './rollouts.js';

const host = { host: 'shop.example.com' };

/** Every progressive strategy: the AWS presets, and each option with fast analyses. */
function strategies(): {
  name: string;
  strategy: DeploymentStrategy;
  className?: string;
  autoscaled?: boolean;
}[] {
  const analysis = [fastErrorRate()];
  const address = prometheusAddress();
  const presets = Object.entries(AWS_PRESETS)
    .filter(([, preset]) => preset.kind !== 'in-place')
    .map(([, strategy], i) => ({ name: `preset-${i}`, strategy }));
  return [
    ...presets,
    {
      name: 'blue-green',
      autoscaled: true,
      strategy: Strategy.blueGreen({
        autoPromotion: false,
        prePromotionAnalysis: analysis,
        postPromotionAnalysis: analysis,
        prometheusAddress: address,
      }),
    },
    {
      name: 'canary-nginx',
      className: 'nginx',
      strategy: Strategy.trafficSplitting({
        trafficRouter: TrafficRouter.nginx(),
        analysis,
        prometheusAddress: address,
      }),
    },
    {
      name: 'canary-alb',
      className: 'alb',
      strategy: Strategy.custom({
        trafficRouter: TrafficRouter.alb(),
        steps: [
          RolloutStep.setWeight(10),
          RolloutStep.pause(),
          RolloutStep.analysis(analysis),
          RolloutStep.setCanaryScale({ replicas: 2 }),
          RolloutStep.setWeight(50),
        ],
        prometheusAddress: address,
      }),
    },
  ];
}

function app(chart: Chart, tag: string): void {
  for (const { name, strategy, className, autoscaled } of strategies()) {
    const service = new WebService(chart, name, {
      image: `ghcr.io/acme/${name}:${tag}`,
      ingress: className ? { ...host, className } : undefined,
      autoscaling: autoscaled ? { minReplicas: 2, maxReplicas: 4 } : undefined,
      strategy,
    });
    monitor(service);
  }
}

describeRollouts('every progressive strategy on the real Argo Rollouts controller', () => {
  test('becomes Healthy, then takes a second revision through every step, pause and analysis to Healthy', async () => {
    const namespace = await createNamespace('presets');
    const first = await synthApp(namespace, (chart) => app(chart, '1.0.0'));
    const applied = await apply(first.file, namespace, '--wait', '--timeout', '120s');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    const rollouts = first.objects.filter((o) => o.kind === 'Rollout');
    expect(rollouts.length).toBe(strategies().length);

    const stable = Object.fromEntries(
      await Promise.all(
        rollouts.map(async (r) => [
          r.metadata.name,
          (await readRollout(namespace, r.metadata.name)).status!.currentPodHash!,
        ]),
      ),
    );
    const second = await synthApp(namespace, (chart) => app(chart, '2.0.0'));
    expect((await apply(second.file, namespace)).code).toBe(0);
    const paused = Object.fromEntries(
      await Promise.all(
        rollouts.map(async (r) => [
          r.metadata.name,
          await promoteThroughPauses(namespace, r.metadata.name, stable[r.metadata.name]),
        ]),
      ),
    );
    for (const rollout of rollouts) {
      const spec = rollout.spec as {
        strategy: {
          canary?: { steps: Record<string, unknown>[] };
          blueGreen?: { autoPromotionEnabled: boolean };
        };
      };
      const pauseSteps = (spec.strategy.canary?.steps ?? []).flatMap((step, i) =>
        'pause' in step ? [i] : [],
      );
      const expected = spec.strategy.blueGreen?.autoPromotionEnabled === false ? [-1] : pauseSteps;
      expect({ rollout: rollout.metadata.name, paused: paused[rollout.metadata.name] }).toEqual({
        rollout: rollout.metadata.name,
        paused: expected,
      });
      const live = await readRollout(namespace, rollout.metadata.name);
      expect(live.status!.stableRS).toBe(live.status!.currentPodHash);
    }

    // Every analysis of the second revision ran to success: background, step, pre- and post-promotion.
    const runs = await analysisRuns(namespace);
    const byRollout = (name: string) =>
      runs
        .filter((run) => run.metadata.name.startsWith(`${name}-`))
        .map((run) => run.status?.phase)
        .sort();
    expect(byRollout('blue-green')).toEqual(['Successful', 'Successful']);
    // The canary-nginx's background analysis, and the last step's that its promotion waited for.
    expect(byRollout('canary-nginx')).toEqual(['Successful', 'Successful']);
    expect(byRollout('canary-alb')).toEqual(['Successful']);
    const watched = await watch(second.file, namespace, '--timeout', '60s');
    expect(watched.code).toBe(0);
    expect(watched.stdout).not.toContain('InvalidSpec');
  }, 900_000);
});
