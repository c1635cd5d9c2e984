/** Errors that name the object, the server's reason, and what to do about it. */
import { ApiError, ConnectionError, TlsError, UnauthorizedError } from './transport/api-client.js';
import { isRecreatable } from './recreatable.js';
import { UnknownKindError } from './transport/resources.js';

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

/** The command was interrupted (SIGINT, SIGTERM): no further request of the step was sent. */
export class InterruptedError extends Error {
  public constructor(step: string) {
    super(`interrupted while ${step}: no further request was sent`);
    this.name = 'InterruptedError';
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
    const immutable = immutableHint(error);
    if (immutable) {
      return `${error.reason}: ${error.message}; ${immutable}`;
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

/** The fields a 422 names as immutable (`spec.selector`, `spec.template`, ...); empty for any other error. */
export function immutableFields(error: unknown): string[] {
  if (!(error instanceof ApiError) || error.code !== 422) {
    return [];
  }
  return [
    ...new Set(
      (error.status?.details?.causes ?? [])
        .filter((c) => c.field && /field is immutable/.test(c.message ?? ''))
        .map((c) => c.field!),
    ),
  ];
}

/**
 * The way out of an immutable field the update changes (apps from before the library selected pods by
 * app.kubernetes.io/name changed their selectors): for a workload, the client recreates it when asked;
 * anything else is the user's to delete.
 */
function immutableHint(error: ApiError): string | undefined {
  const details = error.status?.details as { name?: string; group?: string; kind?: string } | undefined;
  const fields = immutableFields(error);
  if (fields.length === 0 || !details?.name || !details.kind) {
    return undefined;
  }
  const what = `${fields.join(' and ')} cannot change on a live ${details.kind}`;
  const group = details.group ?? '';
  if (isRecreatable({ apiVersion: group ? `${group}/v1` : 'v1', kind: details.kind })) {
    const keeping =
      details.kind === 'Job'
        ? 'delete this Job with its pods and create it anew (it runs again)'
        : `delete just this ${details.kind}, keeping its pods, and create it anew: the old pods serve until the new ones are ready`;
    return `${what}. Rerun with --recreate-on-immutable (or answer yes on a terminal) to ${keeping} (docs/apps.md: "Migrating to name selectors")`;
  }
  const resource = `${details.kind.toLowerCase()}${group ? `.${group}` : ''}/${details.name}`;
  return `${what}: delete it (kubectl delete ${resource}, in its namespace) and apply again; the client recreates only workloads`;
}
