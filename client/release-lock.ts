/** The Lease that locks a release, beside its ApplySet parent, and who takes it. */
import { hostname, userInfo } from 'node:os';
import { LeaseLock } from './apply/lease-lock.js';
import type { ApplySet } from './plan/applyset.js';
import type { ApiClient } from './transport/api-client.js';
import { ApiError } from './transport/api-client.js';

/** Who runs this command, as a lock's holder and a revision's writer name it. */
export function commandIdentity(): string {
  return `${userInfo().username}@${hostname()}`;
}

/** How long a release's lock outlives its command, said after how to break it. */
export const EXPIRES = ' (it expires by itself 15 s after its command died)';

/** The name of the Lease that locks the ApplySet `applySet`. */
export function lockName(applySet: string): string {
  return `${applySet}.lock`;
}

/**
 * Takes the lock of ApplySet `name` in `namespace` for `command`, telling a refused command how to break
 * it (followed by `more`). Throws LockedError, naming the holder, when another command holds it.
 */
export function acquireLock(
  api: ApiClient,
  { name, namespace }: { readonly name: string; readonly namespace: string },
  command: string,
  more = '',
): Promise<LeaseLock> {
  return LeaseLock.acquire(api, {
    namespace,
    name: lockName(name),
    applySet: name,
    holder: commandIdentity(),
    command,
    breakHint: `break its lock with \`cdk8s-devops unlock --applyset ${name} -n ${namespace}\`${more}`,
  });
}

/**
 * Takes the lock of a release in its parent's namespace: one request on an existing release; the first
 * apply creates the namespace on the server's 404, then takes the lock there.
 */
export async function lockRelease(api: ApiClient, applySet: ApplySet, command: string): Promise<LeaseLock> {
  try {
    return await acquireLock(api, applySet, command, EXPIRES);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 404)) {
      throw error;
    }
    await applySet.createNamespace();
    return acquireLock(api, applySet, command, EXPIRES);
  }
}
