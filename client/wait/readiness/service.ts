/**
 * Service:
 * - a LoadBalancer is ready once status.loadBalancer.ingress has an address (the cloud provisioned it);
 * - every other type is ready as soon as it exists.
 */
import { progressing } from './generation.js';
import type { LiveObject, Readiness, ReadinessChecker } from './types.js';

/** Progressing while a LoadBalancer has no address yet; other types have nothing to wait for. */
function loadBalancerAddressed(service: LiveObject): Readiness | undefined {
  if ((service.spec as { type?: string } | undefined)?.type !== 'LoadBalancer') {
    return undefined;
  }
  const ingress = (service.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer
    ?.ingress;
  return ingress && ingress.length > 0 ? undefined : progressing('waiting for the load balancer address');
}

export const SERVICE_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [loadBalancerAddressed],
};
