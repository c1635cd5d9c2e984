/**
 * Readiness that counts the autoscaler's replicas: the real HPA controller (kube-controller-manager)
 * scales an autoscaled workload to its minReplicas, through the Rollout's scale subresource too, and
 * `apply --wait` reports it ready only once those replicas are available.
 */
import { Duration } from 'cdk8s';
import type { LiveObject } from '../../client/index.js';
import { WebService } from '../../lib/apps/web-service.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { createNamespace } from './cluster.js';
import { apply, describeRollouts, readObject, readRollout, synthApp } from './rollouts.js';

describeRollouts('an autoscaled workload', () => {
  test('a Rollout without spec.replicas and a Deployment, each under an HPA with minReplicas 3, are ready only with 3 replicas available', async () => {
    const namespace = await createNamespace('autoscaled');
    const autoscaling = { minReplicas: 3, maxReplicas: 5 };
    const { file, objects } = await synthApp(namespace, (chart) => {
      new WebService(chart, 'canary', {
        image: 'ghcr.io/acme/canary:1.0.0',
        autoscaling,
        strategy: DeploymentStrategy.canary({ percent: 20, interval: Duration.minutes(1) }),
      });
      new WebService(chart, 'rolling', { image: 'ghcr.io/acme/rolling:1.0.0', autoscaling });
    });
    const rollout = objects.find((o) => o.kind === 'Rollout')!;
    expect(rollout.spec).not.toHaveProperty('replicas');

    const run = await apply(file, namespace, '--wait', '--timeout', '120s');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Rollout/${namespace}/canary Healthy: healthy`);
    // Read at once after the wait: the replicas it reported ready with, not ones that came later.
    const [live, deployment] = await Promise.all([
      readRollout(namespace, 'canary'),
      readObject<LiveObject>(`/apis/apps/v1/namespaces/${namespace}/deployments/rolling`),
    ]);
    expect({
      rollout: live.status?.availableReplicas,
      deployment: deployment.status?.availableReplicas,
    }).toEqual({ rollout: 3, deployment: 3 });
    // The wait said what it was waiting for.
    expect(run.stdout).toContain(
      `Rollout/${namespace}/canary Progressing: HorizontalPodAutoscaler canary wants 3 replicas, 1 available`,
    );
    expect(run.stdout).toContain(
      `Deployment/${namespace}/rolling progressing: HorizontalPodAutoscaler rolling wants 3 replicas, 1 available`,
    );
  });
});
