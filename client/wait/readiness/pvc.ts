/**
 * PersistentVolumeClaim:
 * - ready when phase is Bound;
 * - failed when phase is Lost (its volume is gone);
 * - progressing otherwise (Pending: provisioning, or waiting for a first consumer).
 */
import { failed, progressing, READY } from './generation.js';
import type { LiveObject, Readiness, ReadinessChecker } from './types.js';

/** Ready once Bound, failed when Lost, else progressing with its phase. */
function bound(claim: LiveObject): Readiness {
  const phase = (claim.status as { phase?: string } | undefined)?.phase ?? 'Pending';
  if (phase === 'Bound') {
    return READY;
  }
  return phase === 'Lost' ? failed('the claim lost its volume') : progressing(`phase ${phase}`);
}

export const PERSISTENT_VOLUME_CLAIM_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [bound],
};
