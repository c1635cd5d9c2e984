/**
 * Service:
 * - a LoadBalancer is ready once status.loadBalancer.ingress has an address (the cloud provisioned it);
 * - every other type is ready as soon as it exists.
 */
import { generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function serviceReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  if ((object.spec as { type?: string } | undefined)?.type !== 'LoadBalancer') {
    return READY;
  }
  const ingress = (object.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer
    ?.ingress;
  return ingress && ingress.length > 0
    ? READY
    : { state: 'progressing', message: 'waiting for the load balancer address' };
}
