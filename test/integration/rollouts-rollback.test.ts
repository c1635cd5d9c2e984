/**
 * Rollback after releases in which one Rollout was promoted and the other aborted, on the real Argo
 * Rollouts controller measured by the real Prometheus: history records per workload what became
 * stable, and `rollback` restores what ran before the latest release, not the last fully successful one;
 * a blue/green switched to its new version but not yet stable (post-promotion analysis running) gets
 * its traffic back.
 */
import { Duration } from 'cdk8s';
import type { Chart } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { cli } from './client-cli.js';
import { createNamespace, eventually } from './cluster.js';
import {
  analysisRuns,
  apply,
  describeRollouts,
  fastErrorRate,
  monitor,
  prometheusAddress,
  readRollout,
  rolloutPhase,
  selectorHash,
  setTraffic,
  synthApp,
} from './rollouts.js';

/** A canary of 2 pods: one at 50% for 15 s (the analysis measures 3 times in that time), then all. */
function canaryService(chart: Chart, name: string, tag: string): void {
  const service = new WebService(chart, name, {
    image: `ghcr.io/acme/${name}:${tag}`,
    replicas: 2,
    strategy: DeploymentStrategy.custom({
      steps: [RolloutStep.setWeight(50), RolloutStep.pause(Duration.seconds(15))],
      analysis: [fastErrorRate()],
      prometheusAddress: prometheusAddress(),
    }),
  });
  monitor(service);
}

/** `rollback --wait` of the test's app in `namespace`. */
const rollback = (namespace: string, timeout: string) =>
  cli(['rollback', '-n', namespace, '--applyset', 'app', '--wait', '--timeout', timeout]);

interface HistoryEntry {
  number: number;
  status: string;
  message: string;
  workloads?: { ref: string; outcome: string; stable?: number }[];
  rolledBackBy?: number;
}

describeRollouts('rollback after a partly successful release', () => {
  test('api promoted and web aborted twice: history says so per workload, and rollback brings api back one version and web to its stable version without a new analysis', async () => {
    const namespace = await createNamespace('partial');
    const release = (tag: string) =>
      synthApp(namespace, (chart) => {
        canaryService(chart, 'api', tag);
        canaryService(chart, 'web', tag);
      });
    const hashes = async () => ({
      api: (await readRollout(namespace, 'api')).status!.currentPodHash!,
      web: (await readRollout(namespace, 'web')).status!.currentPodHash!,
    });
    const wait = ['--wait', '--timeout', '150s'];
    expect((await apply((await release('1.0.0')).file, namespace, ...wait)).code).toBe(0);
    const first = await hashes();

    // Every pod of web fails half its requests from now on: each new version of web aborts.
    await setTraffic(namespace, 'web-', { errorRatio: 0.5 });
    const second = await apply((await release('2.0.0')).file, namespace, ...wait);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`Rollout/${namespace}/web: failed: RolloutAborted`);
    const afterSecond = await hashes();
    expect(afterSecond.api).not.toBe(first.api);
    const third = await apply((await release('3.0.0')).file, namespace, ...wait);
    expect(third.code).toBe(1);
    const afterThird = await hashes();
    expect(afterThird.api).not.toBe(afterSecond.api);
    expect((await readRollout(namespace, 'web')).status!.stableRS).toBe(first.web);

    const listed = await cli(['history', '-n', namespace, '--applyset', 'app']);
    expect(listed.stdout).toMatch(/\n2 +\S+ +failed: api promoted, web aborted +/);
    expect(listed.stdout).toMatch(/\n3 +\S+ +failed: api promoted, web aborted +/);
    const recorded = JSON.parse(
      (await cli(['history', '-n', namespace, '--applyset', 'app', '-o', 'json'])).stdout,
    ) as HistoryEntry[];
    // web's version of revision 1 stayed stable through both; api's became stable in each.
    expect(recorded[2].workloads).toEqual(
      expect.arrayContaining([
        { ref: `Rollout/${namespace}/api`, outcome: 'promoted' },
        { ref: `Rollout/${namespace}/web`, outcome: 'aborted', stable: 1 },
      ]),
    );

    const webRuns = (await analysisRuns(namespace)).filter((r) => r.metadata.name.startsWith('web-')).length;
    const started = Date.now();
    const rolledBack = await rollback(namespace, '120s');
    const seconds = (Date.now() - started) / 1000;
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.stdout).toContain(
      'rolled back: rollback to revision 2, with web as in revision 1; applied',
    );
    expect(rolledBack.code).toBe(0);
    // api's canary of its previous version (15 s pause) is the longest part; web changes no pods.
    expect(seconds).toBeLessThan(90);
    const api = await rolloutPhase(namespace, 'api', 'Healthy');
    expect(api.status!.stableRS).toBe(afterSecond.api);
    const web = await rolloutPhase(namespace, 'web', 'Healthy');
    expect(web.status!.currentPodHash).toBe(first.web);
    expect(web.status!.stableRS).toBe(first.web);
    expect((await analysisRuns(namespace)).filter((r) => r.metadata.name.startsWith('web-')).length).toBe(
      webRuns,
    );

    const after = JSON.parse(
      (await cli(['history', '-n', namespace, '--applyset', 'app', '-o', 'json'])).stdout,
    ) as HistoryEntry[];
    expect(after.map((r) => [r.number, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'deployed'],
    ]);
    expect(after[3].workloads).toBeUndefined();
    expect(after[3].message).toBe('rollback to revision 2, with web as in revision 1');
    // The failed revision the rollback replaced keeps its status, and is no longer a rollback's target.
    expect(after[2].rolledBackBy).toBe(4);
  });
});

/** A blue/green whose post-promotion analysis measures 40 times, 2 s apart: it runs long after the switch. */
function blueGreenService(chart: Chart, tag: string): void {
  const service = new WebService(chart, 'shop', {
    image: `ghcr.io/acme/shop:${tag}`,
    replicas: 2,
    strategy: DeploymentStrategy.blueGreen({
      prePromotionAnalysis: [fastErrorRate()],
      postPromotionAnalysis: [fastErrorRate({ measurements: 40 })],
      prometheusAddress: prometheusAddress(),
    }),
  });
  monitor(service);
}

describeRollouts('rollback of a blue/green during its post-promotion analysis', () => {
  test('the active Service goes back to the stable pods, and the rollout is Healthy on them without a new analysis', async () => {
    const namespace = await createNamespace('bg-rollback');
    const release = (tag: string) => synthApp(namespace, (chart) => blueGreenService(chart, tag));
    expect((await apply((await release('1.0.0')).file, namespace, '--wait', '--timeout', '120s')).code).toBe(
      0,
    );
    const blue = (await readRollout(namespace, 'shop')).status!.stableRS!;

    expect((await apply((await release('2.0.0')).file, namespace)).code).toBe(0);
    // The switch: the active Service selects the new pods while the old ones are still the stable ones.
    const switched = await eventually(
      'the controller to switch the active Service to the new pods',
      async () => {
        const rollout = await readRollout(namespace, 'shop');
        const active = rollout.status?.blueGreen?.activeSelector;
        return active && active !== blue ? rollout : undefined;
      },
    );
    expect(switched.status!.stableRS).toBe(blue);
    expect(await selectorHash(namespace, 'shop')).toBe(switched.status!.blueGreen!.activeSelector);
    const runs = (await analysisRuns(namespace)).length;

    const rolledBack = await rollback(namespace, '90s');
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.code).toBe(0);
    expect(rolledBack.stdout).toContain(
      `rolled back: rollback to revision 1; Rollout/${namespace}/shop aborted first, which sent its traffic back to its stable pods; applied`,
    );
    expect(await selectorHash(namespace, 'shop')).toBe(blue);
    const shop = await rolloutPhase(namespace, 'shop', 'Healthy');
    expect(shop.status!.currentPodHash).toBe(blue);
    expect(shop.status!.stableRS).toBe(blue);
    expect(shop.status!.blueGreen!.activeSelector).toBe(blue);
    expect((await analysisRuns(namespace)).length).toBe(runs);
    const history = JSON.parse(
      (await cli(['history', '-n', namespace, '--applyset', 'app', '-o', 'json'])).stdout,
    ) as HistoryEntry[];
    expect(history.map((r) => [r.number, r.status, r.message])).toEqual([
      [1, 'superseded', ''],
      [2, 'rolled-back', ''],
      [
        3,
        'deployed',
        `rollback to revision 1; Rollout/${namespace}/shop aborted first, which sent its traffic back to its stable pods`,
      ],
    ]);
  });
});
