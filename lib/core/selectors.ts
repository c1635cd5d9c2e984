import type * as plus from './plus.js';

/**
 * Points `service` at `workload`'s pods by the workload's selector (its name label). cdk8s-plus's own
 * `selector: workload` would select by a hash of the construct path, which changes when the construct
 * moves.
 */
export function selectPods(service: plus.Service, workload: plus.Workload): void {
  for (const [key, value] of Object.entries(workload.matchLabels)) {
    service.selectLabel(key, value);
  }
}
