import { Worker } from '../../lib/apps/worker.js';
import { all, one, podSpec, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/orders:2.0.0';

test('a Worker is a Deployment of one pod with no Service, no port and no readiness check', () => {
  const chart = testChart();
  new Worker(chart, 'orders', { image });
  const objects = synth(chart);
  expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'ServiceAccount']);
  const deployment = one(objects, 'Deployment', 'orders');
  expect(deployment.spec.replicas).toBe(1);
  const container = podSpec(deployment).containers[0];
  expect(container.ports).toBeUndefined();
  expect(container.readinessProbe).toBeUndefined();
});

test('a Worker with autoscaling gets an HPA and a disruption budget', () => {
  const chart = testChart();
  new Worker(chart, 'orders', { image, autoscaling: { maxReplicas: 4 } });
  const objects = synth(chart);
  expect(one(objects, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
  expect(all(objects, 'PodDisruptionBudget')).toHaveLength(1);
});

test('a disruption budget of its own', () => {
  const chart = testChart();
  new Worker(chart, 'orders', { image, replicas: 6, disruptionBudget: { maxUnavailable: 2 } });
  expect(one(synth(chart), 'PodDisruptionBudget').spec.maxUnavailable).toBe(2);
  expect(
    () => new Worker(testChart(), 'x', { image, replicas: 3, disruptionBudget: { maxUnavailable: 0 } }),
  ).toThrow(
    new Error(
      'test/x: disruptionBudget.maxUnavailable must be a whole number 1 or more, got 0. Let at least 1 pod be disrupted, or drains never finish',
    ),
  );
});

test('autoscaling bounds are checked', () => {
  expect(
    () => new Worker(testChart(), 'x', { image, autoscaling: { minReplicas: 0, maxReplicas: 3 } }),
  ).toThrow(
    new Error(
      'test/x: autoscaling.minReplicas must be a whole number 1 or more, got 0. Set minReplicas to 1 or more',
    ),
  );
});
