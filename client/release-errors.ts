/** The errors of a Release's apply that say what happened to the release: not ready, conflicts, rolled back. */
import type { ChangeSet } from './plan/change-set.js';
import type { WaitResult } from './wait/object-status.js';
import { describeUnready } from './wait/object-status.js';

/** The objects did not all become ready: `result` says which failed or ran out of time. */
export class WaitError extends Error {
  public constructor(public readonly result: WaitResult) {
    const bad = result.objects.filter((o) => o.outcome !== 'ready');
    super(
      `${bad.length} object${bad.length === 1 ? '' : 's'} did not become ready:\n${describeUnready(bad)}`,
    );
    this.name = 'WaitError';
  }
}

/** The change set holds conflicts: objects of another ApplySet, or fields another field manager owns. */
export class ConflictError extends Error {
  public constructor(changeSet: ChangeSet) {
    const conflicts = changeSet.changes.filter((c) => c.operation === 'conflict');
    super(
      `${conflicts.length} object${conflicts.length === 1 ? '' : 's'} cannot be applied:\n${conflicts
        .map((c) => `  - ${c.ref}: ${c.reason}`)
        .join('\n')}\nnothing was applied`,
    );
    this.name = 'ConflictError';
  }
}

/** The deploy failed and the release was rolled back to `revision`; `cause` is why it failed. */
export class RolledBackError extends Error {
  public constructor(
    public readonly cause: Error,
    public readonly revision: number,
  ) {
    super(`${cause.message}\nrolled back to revision ${revision}`, { cause });
    this.name = 'RolledBackError';
  }
}
