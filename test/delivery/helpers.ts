import type { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
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
