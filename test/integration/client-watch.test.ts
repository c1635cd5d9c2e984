/** watch, status and the Argo Rollout operations against the real control plane. */
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { Release } from '../../client/index.js';
import type { ObjectStatus } from '../../client/wait/object-status.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, deployment, writeManifests } from './client-cli.js';

/** The output after its first line, which names the ApplySet. */
const afterFirstLine = (stdout: string) => stdout.slice(stdout.indexOf('\n') + 1);

const api = () => ApiClient.fromKubeConfig(testKubeConfig());

describeCluster('cdk8s-devops watch and status', () => {
  test('watch sees a Deployment on kwok nodes appear and become ready, with its events, and exits 0', async () => {
    const ns = await createNamespace('client-watch');
    // Ready no sooner than 2 s after its pods: kwok starts pods at once, and the watch ends when the
    // Deployment is ready, so without this the controller's events may be written after the watch ended.
    const web = deployment(ns, 'web', 3);
    const file = await writeManifests([{ ...web, spec: { ...(web.spec as object), minReadySeconds: 2 } }]);
    const status = await cli(['status', file, '-n', ns]);
    expect(status.code).toBe(2);
    expect(status.stdout).toContain(`Deployment/${ns}/web  progressing: not found`);

    // Watching from before the apply: the object appears, and so do the events about it.
    const watching = cli(['watch', file, '-n', ns, '--timeout', '90s']);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'web', '--yes'])).code).toBe(0);
    const run = await watching;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // Plain timestamped lines when the output is not a terminal.
    expect(run.stdout).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z Deployment/${ns}/web ready$`, 'm'),
    );
    expect(run.stdout).toContain('ready: 1 of 1 objects ready');
    expect(run.stdout).toMatch(
      new RegExp(`Deployment/${ns}/web event Normal ScalingReplicaSet: Scaled up replica set web-\\w+ .*3`),
    );

    const after = await cli(['status', file, '-n', ns, '-o', 'json']);
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toEqual([
      { ref: `Deployment/${ns}/web`, readiness: { state: 'ready', message: 'ready' } },
    ]);
  });

  test('watch times out with exit code 2 when a Deployment cannot be scheduled', async () => {
    const ns = await createNamespace('client-timeout');
    const stuck = deployment(ns, 'stuck');
    (stuck.spec as any).template.spec.nodeSelector = { 'no-such-label': 'anywhere' };
    const file = await writeManifests([stuck]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'stuck', '--yes'])).code).toBe(0);
    const run = await cli(['watch', file, '-n', ns, '--timeout', '3s', '-o', 'json']);
    expect(run.code).toBe(2);
    const result = JSON.parse(run.stdout);
    expect(result.outcome).toBe('timed-out');
    expect(result.objects[0]).toMatchObject({ ref: `Deployment/${ns}/stuck`, outcome: 'timed-out' });

    // The object's own timeout ends the wait long before the overall one.
    const perObject = await cli(['watch', file, '-n', ns, '--timeout', '10m', '--object-timeout', '2s']);
    expect(perObject.code).toBe(2);
    expect(perObject.stdout).toContain('timed out: 0 of 1 objects ready');
  });
});

describeCluster('an Argo Rollout through its phases', () => {
  let ns: string;
  let path: string;
  const rollout = (namespace: string, image: string): Manifest => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    // Labelled for another controller instance, so that the test cluster's Argo Rollouts controller leaves
    // it to the test, which plays the controller's part here.
    metadata: {
      name: 'shop',
      namespace,
      labels: { 'argo-rollouts.argoproj.io/controller-instance-id': 'played-by-the-test' },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'shop' } },
      template: { metadata: { labels: { app: 'shop' } }, spec: { containers: [{ name: 'app', image }] } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } },
    },
  });
  /** Writes status the way the Argo Rollouts controller would, through the status subresource. */
  const setStatus = async (status: Record<string, unknown>) => {
    const live = await api().request<Manifest>({ path });
    await api().request({
      path: `${path}/status`,
      method: 'PATCH',
      contentType: CONTENT_TYPES.merge,
      body: { status: { observedGeneration: String(live.metadata.generation), ...status } },
    });
  };
  const live = () => api().request<any>({ path });

  beforeAll(async () => {
    ns = await createNamespace('client-rollout');
    path = `/apis/argoproj.io/v1alpha1/namespaces/${ns}/rollouts/shop`;
  });

  test('watch reports Progressing, Paused and Healthy as the controller advances the canary, and promote resumes it', async () => {
    const file = await writeManifests([rollout(ns, 'shop:v1')]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'shop', '--yes'])).code).toBe(0);
    const release = Release.connect({ kubeConfig: testKubeConfig(), namespace: ns, name: 'shop' });
    const seen: ObjectStatus[] = [];
    const watching = release.watch([rollout(ns, 'shop:v1')], {
      timeoutMs: 60_000,
      onStatus: (s) => seen.push(s),
    });
    const phases = () => seen.map((s) => s.readiness.phase);

    await setStatus({
      replicas: 2,
      updatedReplicas: 1,
      availableReplicas: 1,
      currentPodHash: 'v1',
      stableRS: 'v0',
      currentStepIndex: 1,
    });
    await eventually('Progressing', () => (phases().includes('Progressing') ? true : undefined));
    await setStatus({
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: new Date().toISOString() }],
      currentStepIndex: 1,
    });
    await eventually('Paused', () => (phases().at(-1) === 'Paused' ? true : undefined));
    expect(seen.at(-1)!.readiness).toEqual({
      state: 'progressing',
      phase: 'Paused',
      message: 'CanaryPauseStep; step 2 of 3',
    });

    const promote = await cli(['promote', 'shop', '-n', ns]);
    expect(afterFirstLine(promote.stdout)).toBe("rollout 'shop' promoted\n");
    expect((await live()).status.pauseConditions).toBeUndefined();

    await setStatus({
      replicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      currentPodHash: 'v1',
      stableRS: 'v1',
      currentStepIndex: 3,
    });
    const result = await watching;
    expect(result.outcome).toBe('ready');
    expect(phases()).toEqual(expect.arrayContaining(['Progressing', 'Paused', 'Healthy']));
    expect(phases().indexOf('Paused')).toBeLessThan(phases().indexOf('Healthy'));
    expect(phases().at(-1)).toBe('Healthy');
  });

  test('watch reports Degraded when the rollout is aborted, and exits 1', async () => {
    const file = await writeManifests([rollout(ns, 'shop:v2')]);
    expect((await cli(['apply', file, '-n', ns, '--applyset', 'shop', '--yes'])).code).toBe(0);
    const watching = cli(['watch', file, '-n', ns, '--timeout', '60s']);
    const abort = await cli(['abort', 'shop', '-n', ns]);
    expect(afterFirstLine(abort.stdout)).toBe("rollout 'shop' aborted\n");
    expect((await live()).status.abort).toBe(true);
    await setStatus({
      replicas: 2,
      updatedReplicas: 0,
      availableReplicas: 2,
      currentPodHash: 'v2',
      stableRS: 'v1',
      conditions: [
        {
          lastTransitionTime: new Date().toISOString(),
          lastUpdateTime: new Date().toISOString(),
          type: 'Progressing',
          status: 'False',
          reason: 'RolloutAborted',
          message: 'Rollout aborted update to revision 2',
        },
      ],
    });
    const run = await watching;
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `Rollout/${ns}/shop Degraded: RolloutAborted: Rollout aborted update to revision 2`,
    );
    expect(run.stdout).toContain('failed: 0 of 1 objects ready');
  });

  test('retry, pause, resume and promote --full send the patches of the Argo Rollouts plugin', async () => {
    expect((await cli(['retry', 'shop', '-n', ns])).code).toBe(0);
    expect((await live()).status.abort).toBe(false);
    expect(afterFirstLine((await cli(['pause', 'shop', '-n', ns])).stdout)).toBe("rollout 'shop' paused\n");
    expect((await live()).spec.paused).toBe(true);
    expect(afterFirstLine((await cli(['resume', 'shop', '-n', ns])).stdout)).toBe("rollout 'shop' resumed\n");
    expect((await live()).spec.paused).toBe(false);
    expect(afterFirstLine((await cli(['promote', 'shop', '--full', '-n', ns])).stdout)).toBe(
      "rollout 'shop' fully promoted\n",
    );
    expect((await live()).status.promoteFull).toBe(true);
  });

  test('an operation on a rollout that does not exist names it', async () => {
    const run = await cli(['promote', 'missing', '-n', ns]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('error: rollouts.argoproj.io "missing" not found\n');
  });
});
