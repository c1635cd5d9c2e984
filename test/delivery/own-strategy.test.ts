import type { Construct, IConstruct } from 'constructs';
import { WebService } from '../../lib/apps/web-service.js';
import type { DeliverableWorkload, Delivery } from '../../lib/index.js';
import { Alarm, analysisReference, analysisTemplateFromAlarms, DeploymentStrategy } from '../../lib/index.js';
import { all, one, synth, testChart } from '../util/synth.js';
import { SurgeAll } from './helpers.js';

const image = 'ghcr.io/acme/api:1.0.0';

/** A progressive one: a Rollout with a single analysis-gated step, through the helpers subclasses get. */
class GatedRelease extends DeploymentStrategy {
  public readonly kind = 'canary';
  public readonly bound: IConstruct[] = [];

  public bind(scope: Construct, workload: DeliverableWorkload): Delivery {
    this.bound.push(workload);
    const gate = analysisTemplateFromAlarms(scope, 'Gate', {
      alarms: [Alarm.errorRate({ threshold: 0.01 })],
      name: `${workload.name}-gate`,
      service: workload.service!.name,
      purpose: 'release gate',
      gate: true,
    });
    const rollout = this.createRollout(scope, workload, {
      canary: { steps: [{ setWeight: 50 }, { analysis: analysisReference(gate) }] },
    });
    return { rollout, analysisTemplates: [gate], extraServices: [] };
  }
}

test('an in-place strategy of your own gives the Deployment strategy from bind and adds its objects', () => {
  const chart = testChart();
  new WebService(chart, 'api', { image, replicas: 4, strategy: new SurgeAll() });
  const objects = synth(chart);
  expect(one(objects, 'Deployment', 'api').spec).toMatchObject({
    replicas: 4,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '100%', maxUnavailable: 0 } },
  });
  expect(one(objects, 'ConfigMap', 'api-release-policy').data).toEqual({ strategy: 'surge-all' });
  expect(all(objects, 'Rollout')).toEqual([]);
});

test('a progressive strategy of your own: the Deployment runs no pods and the autoscaler scales the Rollout', () => {
  const chart = testChart();
  const strategy = new GatedRelease();
  const api = new WebService(chart, 'api', { image, autoscaling: { maxReplicas: 5 }, strategy });
  const objects = synth(chart);
  expect(strategy.bound).toEqual([api]);
  expect(api.delivery?.rollout?.name).toBe('api');
  expect(one(objects, 'Deployment', 'api').spec.replicas).toBe(0);
  expect(one(objects, 'HorizontalPodAutoscaler', 'api').spec.scaleTargetRef).toEqual({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: 'api',
  });
  const rollout = one(objects, 'Rollout', 'api');
  expect(rollout.spec.replicas).toBeUndefined();
  expect(rollout.spec.workloadRef).toEqual({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'api',
    scaleDown: 'never',
  });
  expect(rollout.spec.strategy.canary.steps).toEqual([
    { setWeight: 50 },
    {
      analysis: {
        templates: [{ templateName: 'api-gate' }],
        args: [{ name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      },
    },
  ]);
  expect(one(objects, 'AnalysisTemplate', 'api-gate').spec.metrics[0]).toMatchObject({
    name: 'error-rate',
    count: 5,
  });
});
