/**
 * PersistentVolumeClaim:
 * - ready when phase is Bound;
 * - failed when phase is Lost (its volume is gone);
 * - progressing otherwise (Pending: provisioning, or waiting for a first consumer).
 */
import { generationPending, READY } from './generation.js';
import type { LiveObject, Readiness } from './types.js';

export function persistentVolumeClaimReadiness(object: LiveObject): Readiness {
  const pending = generationPending(object, false);
  if (pending) {
    return pending;
  }
  const phase = (object.status as { phase?: string } | undefined)?.phase ?? 'Pending';
  if (phase === 'Bound') {
    return READY;
  }
  return phase === 'Lost'
    ? { state: 'failed', message: 'the claim lost its volume' }
    : { state: 'progressing', message: `phase ${phase}` };
}
