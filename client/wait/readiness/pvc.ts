/**
 * PersistentVolumeClaim:
 * - ready when phase is Bound;
 * - failed when phase is Lost (its volume is gone);
 * - progressing otherwise (Pending: provisioning, or waiting for a first consumer).
 */
import { failed, progressing, READY } from './generation.js';
import type { ReadinessChecker } from './types.js';

export const PERSISTENT_VOLUME_CLAIM_READINESS: ReadinessChecker = {
  observedGeneration: 'when-reported',
  conditions: [
    (claim) => {
      const phase = (claim.status as { phase?: string } | undefined)?.phase ?? 'Pending';
      if (phase === 'Bound') {
        return READY;
      }
      return phase === 'Lost' ? failed('the claim lost its volume') : progressing(`phase ${phase}`);
    },
  ],
};
