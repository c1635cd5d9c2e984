/**
 * Canaries end to end: the real Argo Rollouts controller runs them, its analyses query the Prometheus
 * the Prometheus Operator configures from the apps' ServiceMonitors, which scrapes the exporter in place
 * of the pods; the tests set each version's error rate.
 */
import { Duration } from 'cdk8s';
import type { Chart } from 'cdk8s';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { createNamespace, eventually } from './cluster.js';
import {
  analysisRuns,
  apply,
  describeRollouts,
  fastErrorRate,
  type LiveRollout,
  monitor,
  prometheusAddress,
  readObject,
  readRollout,
  rolloutPhase,
  setTraffic,
  synthApp,
  watch,
} from './rollouts.js';

/** A canary of 4 pods: one canary pod at 25% for 20 s, then all, with alarms in the background. */
function canaryService(chart: Chart, name: string, tag: string, analysis: Alarm[]): void {
  const service = new WebService(chart, name, {
    image: `ghcr.io/acme/${name}:${tag}`,
    replicas: 4,
    strategy: DeploymentStrategy.custom({
      steps: [RolloutStep.setWeight(25), RolloutStep.pause(Duration.seconds(20))],
      analysis,
      prometheusAddress: prometheusAddress(),
    }),
  });
  monitor(service);
}

interface MeasuredRun {
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly status?: {
    readonly phase?: string;
    readonly metricResults?: { measurements?: { phase?: string; finishedAt?: string }[] }[];
  };
}

/** When the controller last marked the rollout Completed: its promotion to the new version. */
function completedAt(rollout: LiveRollout): number {
  const completed = rollout.status?.conditions?.find((c) => c.type === 'Completed' && c.status === 'True');
  return Date.parse((completed as { lastTransitionTime?: string } | undefined)?.lastTransitionTime ?? '');
}

describeRollouts('a canary on the real Argo Rollouts controller, measured by a real Prometheus', () => {
  test("a canary whose pause ends before its alarms' first measurement is promoted only after they measured, and a failing measurement still aborts it", async () => {
    const namespace = await createNamespace('canary-measured');
    // Missing data breaches, so the first measurement waits a full window (10 s): longer than the pause.
    const alarm = Alarm.errorRate({ threshold: 0.1, interval: '2s', window: '10s', measurements: 3 });
    const revision = (tag: string) =>
      synthApp(namespace, (chart) => {
        const web = new WebService(chart, 'web', {
          image: `ghcr.io/acme/web:${tag}`,
          replicas: 4,
          strategy: DeploymentStrategy.canary({
            percent: 25,
            interval: Duration.seconds(4),
            analysis: [alarm],
            prometheusAddress: prometheusAddress(),
          }),
        });
        monitor(web);
      });
    expect((await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '90s')).code).toBe(
      0,
    );
    expect((await apply((await revision('2.0.0')).file, namespace, '--wait', '--timeout', '120s')).code).toBe(
      0,
    );
    const promoted = await rolloutPhase(namespace, 'web', 'Healthy');
    const hash = promoted.status!.currentPodHash!;
    expect(promoted.status!.stableRS).toBe(hash);
    const runs = (await analysisRuns(namespace)).filter(
      (run) => run.metadata.labels?.['rollouts-pod-template-hash'] === hash,
    ) as MeasuredRun[];
    const promotion = completedAt(promoted);
    expect(promotion).not.toBeNaN();
    for (const run of runs) {
      const measurements = run.status!.metricResults?.[0]?.measurements ?? [];
      // Every run measured, and every measurement finished before the promotion.
      expect({ run: run.metadata.name, measured: measurements.length > 0 }).toEqual({
        run: run.metadata.name,
        measured: true,
      });
      for (const m of measurements) {
        expect(Date.parse(m.finishedAt!)).toBeLessThanOrEqual(promotion);
      }
    }
    // The background analysis, and the analysis of the last step (index 2) that the promotion waited for.
    expect(runs.map((run) => run.metadata.name.replace(hash, '<hash>')).sort()).toEqual([
      'web-<hash>-2',
      'web-<hash>-2-2',
    ]);
    const gate = runs.find((run) => run.metadata.name.endsWith('-2-2'))!;
    expect(gate.status!.phase).toBe('Successful');
    expect(gate.status!.metricResults![0].measurements!.map((m) => m.phase)).toEqual([
      'Successful',
      'Successful',
      'Successful',
    ]);

    // The new version's pods fail half their requests: a measurement fails, the canary aborts.
    await setTraffic(namespace, '', { errorRatio: 0.5 });
    await setTraffic(namespace, `web-${hash}`, { errorRatio: 0 });
    expect((await apply((await revision('3.0.0')).file, namespace)).code).toBe(0);
    const aborted = await rolloutPhase(namespace, 'web', 'Degraded', 120_000);
    expect(aborted.status!.message).toMatch(
      /^RolloutAborted: Rollout aborted update to revision 3: .*Metric "error-rate" assessed Failed due to failed \(1\) > failureLimit \(0\)/,
    );
    expect(aborted.status!.stableRS).toBe(hash);
  });

  test('a pod-template change alone is waited for; healthy metrics complete it; a canary whose own errors rise aborts, watch says why, and --rollback-on-failure restores the last good revision', async () => {
    const namespace = await createNamespace('canary');
    const revision = (tag: string) =>
      synthApp(namespace, (chart) => canaryService(chart, 'web', tag, [fastErrorRate()]));

    expect((await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '90s')).code).toBe(
      0,
    );
    const first = (await readRollout(namespace, 'web')).status!.currentPodHash!;

    // Only the Deployment's pod template changes, so the Rollout's generation does not: apply --wait must
    // still wait for the controller to see it and take the canary through its steps.
    const good = await revision('2.0.0');
    const healthy = await apply(good.file, namespace, '--wait', '--timeout', '120s');
    expect(healthy.code).toBe(0);
    const second = await readRollout(namespace, 'web');
    expect(second.status!.currentPodHash).not.toBe(first);
    expect(second.status!.stableRS).toBe(second.status!.currentPodHash);
    // The background analysis ends when the rollout does, successful, as does the last step's analysis.
    await eventually('the analyses to end', async () => {
      const runs = (await analysisRuns(namespace)).filter(
        (run) => run.metadata.labels?.['rollouts-pod-template-hash'] === second.status!.currentPodHash,
      );
      return runs.length === 2 && runs.every((run) => run.status?.phase !== 'Running') ? runs : undefined;
    }).then((runs) => expect(runs.map((run) => run.status?.phase)).toEqual(['Successful', 'Successful']));

    // The new version's single pod fails 30% of its requests; the three stable pods none. Over the whole
    // service that is under the 10% limit; the canary's own rate is not.
    await setTraffic(namespace, '', { errorRatio: 0.3 });
    await setTraffic(namespace, `web-${second.status!.currentPodHash}`, { errorRatio: 0 });
    const bad = await revision('3.0.0');
    const deployment = `/apis/apps/v1/namespaces/${namespace}/deployments/web`;
    const before = (await readObject(deployment)).metadata.generation as number;
    const applying = apply(bad.file, namespace, '--wait', '--rollback-on-failure', '--timeout', '120s');
    // watch from when the new revision is applied, beside the apply's own wait.
    await eventually('the third revision to be applied', async () =>
      ((await readObject(deployment)).metadata.generation as number) > before ? true : undefined,
    );
    const [applied, watched] = await Promise.all([applying, watch(bad.file, namespace, '--timeout', '120s')]);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(
      new RegExp(
        `Rollout/${namespace}/web Degraded: RolloutAborted: Rollout aborted update to revision 3: Background analysis phase error/failed: Metric "error-rate" assessed Failed due to failed \\(1\\) > failureLimit \\(0\\); ` +
          `AnalysisRun web-\\w+-3\\S* Failed: error-rate = \\[0\\.[2-3]\\d*\\] \\(limit: result\\[0\\] > 0\\.1\\)`,
      ),
    );
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain('rolled back to revision 2');
    const restored = await rolloutPhase(namespace, 'web', 'Healthy');
    expect(restored.status!.currentPodHash).toBe(second.status!.currentPodHash);
    expect(restored.status!.stableRS).toBe(second.status!.currentPodHash);
    expect((await watch(good.file, namespace, '--timeout', '30s')).code).toBe(0);
  });

  test("alarms measure the canary's own pods: an error burst on the stable pods fails only the whole-service alarm", async () => {
    const namespace = await createNamespace('canary-only');
    const revision = (tag: string) =>
      synthApp(namespace, (chart) => {
        canaryService(chart, 'own', tag, [fastErrorRate()]);
        canaryService(chart, 'whole', tag, [fastErrorRate({ measure: 'service' })]);
      });
    expect((await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '90s')).code).toBe(
      0,
    );
    const stable = {
      own: (await readRollout(namespace, 'own')).status!.currentPodHash!,
      whole: (await readRollout(namespace, 'whole')).status!.currentPodHash!,
    };
    // The stable pods fail half their requests; the new version's none.
    await setTraffic(namespace, `own-${stable.own}`, { errorRatio: 0.5 });
    await setTraffic(namespace, `whole-${stable.whole}`, { errorRatio: 0.5 });
    expect((await apply((await revision('2.0.0')).file, namespace)).code).toBe(0);

    const [own, whole] = await Promise.all([
      rolloutPhase(namespace, 'own', 'Healthy', 120_000, stable.own),
      rolloutPhase(namespace, 'whole', 'Degraded', 120_000, stable.whole),
    ]);
    expect(own.status!.stableRS).not.toBe(stable.own);
    expect(own.status!.stableRS).toBe(own.status!.currentPodHash);
    expect(whole.status!.message).toContain('Metric "error-rate" assessed Failed');
    expect(whole.status!.stableRS).toBe(stable.whole);
  });
});
