/**
 * `--recreate-on-immutable`, which `apply`, `deploy` and `rollback` share: the consent to delete and create
 * anew workloads whose update changes an immutable field (client/apply/recreate.ts). The flag is the consent;
 * on a terminal, without it, the confirmation after the recreations are shown is.
 */
import type { Command } from 'commander';
import type { ChangeSet } from '../client/index.js';
import type { CliIo } from './io.js';
import { confirm, printRecreations } from './output.js';

export interface RecreateFlags {
  recreateOnImmutable?: boolean;
  /** Nobody is asked: without the flag, nothing is recreated. */
  yes?: boolean;
  dryRun?: boolean;
}

export function withRecreateOnImmutable(command: Command): Command {
  return command.option(
    '--recreate-on-immutable',
    'delete and create anew workloads whose update changes an immutable field (a selector), keeping their pods until the new ones are ready (asked on a terminal)',
  );
}

/** Whether the change set may plan recreations: with the flag, or where a person confirms them next. */
export function mayRecreate(io: CliIo, flags: RecreateFlags): boolean {
  return flags.recreateOnImmutable === true || (!flags.yes && !flags.dryRun && io.stdin.isTTY === true);
}

/**
 * For commands that apply without showing the change set (`rollback`): shows the recreations it plans
 * and asks, unless the flag already consented or there are none.
 */
export async function confirmRecreations(
  io: CliIo,
  flags: RecreateFlags,
  changeSet: ChangeSet,
): Promise<boolean> {
  if (flags.recreateOnImmutable || !changeSet.changes.some((c) => c.recreate)) {
    return true;
  }
  printRecreations(io, changeSet);
  return confirm(io, 'Recreate these workloads?');
}
