/**
 * Running one step on many objects: at most `limit` at a time, and to the end even when some fail, so
 * that the error lists every object that failed rather than the first one.
 */
import type { LimitFunction } from 'p-limit';
import { InterruptedError, ObjectError, StackError, throwIfUnreachable } from '../errors.js';
import { objectRef } from '../transport/resources.js';
import type { Manifest } from '../transport/resources.js';

export interface ForEachObjectOptions {
  readonly limit: LimitFunction;
  /** What the step is, for the error: `applying the workloads stage`. */
  readonly step: string;
  /**
   * What to do about failures, the line after the list.
   *
   * @default - no hint
   */
  readonly hint?: string;
  /** What an unreachable API server means for this step, said after the server's address. */
  readonly unreachable: string;
  /**
   * Once aborted, no further object is started; those in flight finish, and the step throws
   * InterruptedError.
   *
   * @default - runs to the end
   */
  readonly signal?: AbortSignal;
}

/**
 * The results in the order of `objects`; throws a StackError naming each object that failed, or
 * InterruptedError once `signal` was aborted.
 */
export async function forEachObject<R>(
  objects: readonly Manifest[],
  options: ForEachObjectOptions,
  work: (object: Manifest) => Promise<R>,
): Promise<R[]> {
  const errors: ObjectError[] = [];
  const results = await Promise.all(
    objects.map((object) =>
      options.limit(async () => {
        if (options.signal?.aborted) {
          return undefined;
        }
        try {
          return await work(object);
        } catch (error) {
          errors.push(new ObjectError(objectRef(object), error));
          return undefined;
        }
      }),
    ),
  );
  if (options.signal?.aborted) {
    throw new InterruptedError(options.step);
  }
  if (errors.length > 0) {
    throwIfUnreachable(errors, options.unreachable);
    throw new StackError(options.step, errors, options.hint);
  }
  return results as R[];
}
