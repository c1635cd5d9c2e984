/** promote, abort, retry, pause and resume on a live canary run by the real Argo Rollouts controller. */
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { RolloutStep } from '../../lib/delivery/rollout-step.js';
import { join } from 'node:path';
import { cli } from './client-cli.js';
import { createNamespace, eventually } from './cluster.js';
import { apply, describeRollouts, nudgeWhileUnseen, readRollout, synthApp, watch } from './rollouts.js';

describeRollouts('Argo Rollout operations on a live canary', () => {
  test('pause, resume, abort, retry and promote act on the canary, and watch shows each', async () => {
    const namespace = await createNamespace('operations');
    const revision = (tag: string) =>
      synthApp(namespace, (chart) => {
        new WebService(chart, 'web', {
          image: `ghcr.io/acme/web:${tag}`,
          strategy: DeploymentStrategy.custom({ steps: [RolloutStep.setWeight(50), RolloutStep.pause()] }),
        });
      });
    expect((await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '90s')).code).toBe(
      0,
    );
    const v2 = await revision('2.0.0');
    expect((await apply(v2.file, namespace)).code).toBe(0);
    const rollout = ['web', '-n', namespace];
    const line = `Rollout/${namespace}/web`;
    // Every command names the ApplySet it acts on first (here the project's, from its package.json).
    const said = (done: string) =>
      `ApplySet shop in namespace ${namespace} (from ${join(process.cwd(), 'package.json')} "cdk8s-devops.applySet")\nrollout 'web' ${done}\n`;
    const settled = (what: string, check: (r: Awaited<ReturnType<typeof readRollout>>) => boolean) =>
      eventually(what, async () => {
        const r = await readRollout(namespace, 'web');
        return String(r.status?.observedGeneration) === String(r.metadata.generation) && check(r)
          ? r
          : undefined;
      });

    await settled('the canary to pause at its step', (r) => r.status?.phase === 'Paused');
    let watched = await watch(v2.file, namespace, '--timeout', '3s');
    expect(watched.code).toBe(2);
    expect(watched.stdout).toContain(`${line} Paused: CanaryPauseStep; step 2 of 2`);

    expect((await cli(['pause', ...rollout])).stdout).toBe(said('paused'));
    await settled('the pause to be observed', (r) => r.spec.paused === true);
    watched = await watch(v2.file, namespace, '--timeout', '3s');
    expect(watched.stdout).toContain(`${line} Paused: manually paused; step 2 of 2`);

    expect((await cli(['resume', ...rollout])).stdout).toBe(said('resumed'));
    await settled('the resume to be observed', (r) => !r.spec.paused);

    expect((await cli(['abort', ...rollout])).stdout).toBe(said('aborted'));
    await settled('the abort', (r) => r.status?.phase === 'Degraded');
    watched = await watch(v2.file, namespace, '--timeout', '30s');
    expect(watched.code).toBe(1);
    expect(watched.stdout).toContain(
      `${line} Degraded: RolloutAborted: Rollout aborted update to revision 2`,
    );

    expect((await cli(['retry', ...rollout])).stdout).toBe(said('retried'));
    await settled(
      'the retry to pause at the step again',
      (r) => r.status?.phase === 'Paused' && !r.status.abort,
    );

    expect((await cli(['promote', ...rollout])).stdout).toBe(said('promoted'));
    // What promote itself does: the step's pause condition is gone from the live status.
    expect((await readRollout(namespace, 'web')).status?.pauseConditions ?? []).toEqual([]);
    const healthy = watch(v2.file, namespace, '--timeout', '60s');
    await nudgeWhileUnseen(namespace, 'web', healthy);
    watched = await healthy;
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain(`${line} Healthy: healthy`);
    const done = await readRollout(namespace, 'web');
    expect(done.status!.stableRS).toBe(done.status!.currentPodHash);
  });
});
