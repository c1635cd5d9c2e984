import type { Construct } from 'constructs';
import * as plus from '../../lib/core/plus.js';
import type { DeliverableWorkload, Delivery } from '../../lib/delivery/deployment-strategy.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { WebService } from '../../lib/apps/web-service.js';
import type { WebServiceProps } from '../../lib/apps/web-service.js';
import type { Obj } from '../util/synth.js';
import { all, one, synth, testChart } from '../util/synth.js';

export const image = 'ghcr.io/acme/api:1.0.0';

/** Synthesizes a WebService named "api" (4 replicas) with `strategy`. */
export function deliver(strategy: DeploymentStrategy, props: Partial<WebServiceProps> = {}): Obj[] {
  const chart = testChart();
  new WebService(chart, 'api', { image, replicas: 4, strategy, ...props });
  return synth(chart);
}

export function rolloutStrategy(objects: Obj[]): any {
  return one(objects, 'Rollout', 'api').spec.strategy;
}

export function deploymentStrategy(objects: Obj[]): any {
  expect(all(objects, 'Rollout')).toEqual([]);
  return one(objects, 'Deployment', 'api').spec.strategy;
}

/**
 * A platform team's own in-place strategy, written through the public API: a full copy of new pods
 * first, never a pod down, and a ConfigMap that records the policy beside the workload.
 */
export class SurgeAll extends DeploymentStrategy {
  public readonly kind = 'in-place';

  public bind(scope: Construct, workload: DeliverableWorkload): Delivery {
    new plus.ConfigMap(scope, 'Policy', {
      metadata: { name: `${workload.name}-release-policy` },
      data: { strategy: 'surge-all' },
    });
    return {
      updateStrategy: plus.DeploymentStrategy.rollingUpdate({
        maxSurge: plus.PercentOrAbsolute.percent(100),
        maxUnavailable: plus.PercentOrAbsolute.absolute(0),
      }),
      analysisTemplates: [],
      extraServices: [],
    };
  }
}
