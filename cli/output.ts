/** Printing for people (tables, change sets) and machines (JSON), and asking on a terminal. */
import { createInterface } from 'node:readline/promises';
import type { ChangeSet } from '../client/index.js';
import type { CliIo } from './io.js';

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const row of [header, ...rows]) {
    io.stdout.write(
      `${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}\n`,
    );
  }
}

/** The change set as `-o json` prints it: operations and diffs, never the objects (Secrets stay unprinted). */
export function changeSetJson(changeSet: ChangeSet): object {
  return {
    changes: changeSet.changes.map(({ ref, operation, diff, reason, recreate }) => ({
      ref,
      operation,
      diff,
      reason,
      recreate,
    })),
    summary: changeSet.summary,
    kept: changeSet.kept,
  };
}

/**
 * The table of every object and its operation, a summary line, and (for `diff`) each change's diff.
 * `deletingApp` names the ApplySet's own Namespace when `delete` prints: the prune keeps it for the
 * parent's sake, and `delete` removes it last.
 */
export function printChangeSet(
  io: CliIo,
  changeSet: ChangeSet,
  withDiffs: boolean,
  deletingApp?: string,
): void {
  printTable(
    io,
    ['OPERATION', 'OBJECT'],
    changeSet.changes.map((c) => [c.recreate ? 'recreate' : c.operation, c.ref]),
  );
  const { create, update, delete: del, unchanged, conflict } = changeSet.summary;
  io.stdout.write(
    `\n${create} to create, ${update} to update, ${del} to delete, ${unchanged} unchanged${conflict > 0 ? `, ${conflict} in conflict` : ''}\n`,
  );
  for (const change of changeSet.changes.filter((c) => c.operation === 'conflict')) {
    io.stdout.write(`conflict: ${change.ref}: ${change.reason}\n`);
  }
  printRecreations(io, changeSet);
  for (const kept of changeSet.kept) {
    io.stdout.write(
      kept.ref === `Namespace/${deletingApp}`
        ? `delete last: ${kept.ref}, once the ApplySet's parent Secret and revisions in it are deleted (unless it holds objects of other apps)\n`
        : `kept, not pruned: ${kept.ref}: ${kept.reason}\n`,
    );
  }
  if (withDiffs) {
    for (const change of changeSet.changes.filter((c) => c.diff)) {
      io.stdout.write(`\n${change.diff}`);
    }
  }
}

/** One line per workload the change set deletes and creates anew, and why. */
export function printRecreations(io: CliIo, changeSet: ChangeSet): void {
  for (const change of changeSet.changes.filter((c) => c.recreate)) {
    io.stdout.write(
      `recreate: ${change.ref}: ${change.recreate!.join(' and ')} cannot change on a live ${change.live!.kind}: it is deleted and created anew${change.live!.kind === 'Job' ? ' (its pods go, and it runs again)' : ', its pods kept until the new ones are ready'}\n`,
    );
  }
}

export async function confirm(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}
