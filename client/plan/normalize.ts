/**
 * What a diff leaves out: fields the server manages (managedFields, resourceVersion, uid, status, ...),
 * and Secret values, which are replaced by a digest so that a change still shows without the credential.
 */
import { createHash } from 'node:crypto';
import { MANIFEST_DIGEST } from './apply-context.js';
import type { Manifest } from '../transport/resources.js';

const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
] as const;

/** Annotations that tools and controllers keep for themselves (ours: the digest of the applied manifest). */
const SERVER_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  MANIFEST_DIGEST,
] as const;

/** A copy of `object` without server-managed fields, with Secret values masked. */
export function normalizeForDiff(object: Manifest): Manifest {
  const copy = structuredClone(object) as Record<string, unknown> & Manifest;
  delete copy.status;
  const metadata = copy.metadata as Record<string, unknown>;
  for (const field of SERVER_METADATA) {
    delete metadata[field];
  }
  const annotations = metadata.annotations as Record<string, string> | undefined;
  if (annotations) {
    for (const key of SERVER_ANNOTATIONS) {
      delete annotations[key];
    }
    if (Object.keys(annotations).length === 0) {
      delete metadata.annotations;
    }
  }
  if (copy.apiVersion === 'v1' && copy.kind === 'Secret') {
    for (const field of ['data', 'stringData'] as const) {
      const values = copy[field] as Record<string, string> | undefined;
      if (values) {
        copy[field] = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, maskSecret(field, v)]));
      }
    }
  }
  return copy;
}

/** `data` is base64 and `stringData` plain: both are hashed as the bytes they stand for. */
function maskSecret(field: 'data' | 'stringData', value: string): string {
  const bytes = field === 'data' ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
  return `(secret, sha256:${createHash('sha256').update(bytes).digest('hex').slice(0, 12)})`;
}
