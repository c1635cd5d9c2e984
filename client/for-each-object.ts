/**
 * Running one step on many objects: at most `limit` at a time, and to the end even when some fail, so
 * that the error lists every object that failed rather than the first one.
 */
import type { LimitFunction } from 'p-limit';
import { ObjectError, StackError, throwIfUnreachable } from './errors.js';
import { objectRef } from './manifests.js';
import type { Manifest } from './resources.js';

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
}

/** The results in the order of `objects`; throws a StackError naming each object that failed. */
export async function forEachObject<R>(
  objects: readonly Manifest[],
  options: ForEachObjectOptions,
  work: (object: Manifest) => Promise<R>,
): Promise<R[]> {
  const errors: ObjectError[] = [];
  const results = await Promise.all(
    objects.map((object) =>
      options.limit(async () => {
        try {
          return await work(object);
        } catch (error) {
          errors.push(new ObjectError(objectRef(object), error));
          return undefined;
        }
      }),
    ),
  );
  if (errors.length > 0) {
    throwIfUnreachable(errors, options.unreachable);
    throw new StackError(options.step, errors, options.hint);
  }
  return results as R[];
}
