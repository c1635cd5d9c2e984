/** Errors that name the object, the server's reason, and what to do about it. */
import { ApiError, ConnectionError, TlsError, UnauthorizedError } from './api-client.js';
import { UnknownKindError } from './resources.js';

/** One object the server refused (or could not be reached for). */
export class ObjectError extends Error {
  public constructor(
    public readonly ref: string,
    public readonly cause: unknown,
  ) {
    super(`${ref}: ${describeFailure(cause)}`, { cause });
    this.name = 'ObjectError';
  }
}

/** A step that failed for one or more objects; `objects` holds each one's error. */
export class StackError extends Error {
  public constructor(
    step: string,
    public readonly objects: readonly ObjectError[],
    hint = '',
  ) {
    const lines = objects.map((o) => `  - ${o.message}`);
    super(
      `${step} failed for ${objects.length} object${objects.length === 1 ? '' : 's'}:\n${lines.join('\n')}${hint ? `\n${hint}` : ''}`,
    );
    this.name = 'StackError';
  }
}

/**
 * Throws when any object failed because the API server could not be reached: that is one problem, not
 * one per object, and it is worth saying once.
 */
export function throwIfUnreachable(errors: readonly ObjectError[], consequence: string): void {
  // Said once: the credentials or the certificate are wrong for every object alike.
  const access = errors.find((e) => e.cause instanceof UnauthorizedError || e.cause instanceof TlsError);
  if (access) {
    throw access.cause as Error;
  }
  const unreachable = errors.find((e) => e.cause instanceof ConnectionError);
  if (unreachable) {
    throw new Error(`${(unreachable.cause as ConnectionError).message}; ${consequence}`, {
      cause: unreachable.cause,
    });
  }
}

/** A server-side apply refused because another field manager owns fields it sets. */
export function isFieldConflict(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.code === 409 &&
    error.reason === 'Conflict' &&
    /conflict/i.test(error.message)
  );
}

/** The server's reason and message, with the fix for the failures people hit most. */
export function describeFailure(error: unknown): string {
  if (error instanceof ApiError) {
    if (isFieldConflict(error)) {
      return `${error.message}; another field manager owns these fields: rerun with --force-conflicts to take them over`;
    }
    if (error.code === 403 && /exceeded quota/.test(error.message)) {
      return `quota exceeded: ${error.message}`;
    }
    if (error.code === 403) {
      return `forbidden: ${error.message}; ask for RBAC permission to do this`;
    }
    const immutableSelector = immutableSelectorHint(error);
    if (immutableSelector) {
      return `${error.reason}: ${error.message}; ${immutableSelector}`;
    }
    const hint =
      error.status?.details?.causes
        ?.map((c) => `${c.field ?? ''}${c.field ? ': ' : ''}${c.message ?? ''}`)
        .filter((c) => c && !error.message.includes(c)) ?? [];
    return `${error.reason === 'Unknown' ? `HTTP ${error.code}` : error.reason}: ${[error.message, ...hint].join('; ')}`;
  }
  if (error instanceof UnknownKindError || error instanceof ConnectionError || error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/**
 * The way out of a changed workload selector, which the API server refuses to update (apps from before
 * the library selected pods by app.kubernetes.io/name): replace just that workload, keeping its pods.
 */
function immutableSelectorHint(error: ApiError): string | undefined {
  const details = error.status?.details as { name?: string; group?: string; kind?: string } | undefined;
  const selector = error.status?.details?.causes?.some(
    (c) => c.field === 'spec.selector' && /field is immutable/.test(c.message ?? ''),
  );
  if (error.code !== 422 || !selector || !details?.name || !details.kind) {
    return undefined;
  }
  const resource = `${details.kind.toLowerCase()}${details.group ? `.${details.group}` : ''}/${details.name}`;
  return (
    `spec.selector cannot change on a live ${details.kind}. To move to the new selector, delete just this ` +
    `${details.kind} and keep its pods (kubectl delete ${resource} --cascade=orphan, in its namespace), then ` +
    'apply again: the new one adopts the running pods by their labels and replaces them by its update strategy ' +
    '(README: "Migrating to name selectors")'
  );
}
