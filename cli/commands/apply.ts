/**
 * `apply`: the change set, a confirmation, server-side apply of exactly that change set, prune, and a
 * revision. `deploy` runs the same steps after a synth, and always waits.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ChangeSet, Manifest, Release, Revision } from '../../client/index.js';
import { desiredObjects, hasChanges, prunedObjects } from '../../client/index.js';
import { onInterrupt } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { ConnectionFlags, SourceFlags } from '../options.js';
import {
  connect,
  durationOption,
  loadSources,
  parsePositiveCount,
  withConnection,
  withSources,
} from '../options.js';
import { changeSetJson, confirm, printChangeSet, printJson } from '../output.js';
import type { ProgressView } from '../progress.js';
import { createProgress } from '../progress.js';
import type { RecreateFlags } from '../recreate.js';
import { mayRecreate, withRecreateOnImmutable } from '../recreate.js';
import type { WaitFlags } from '../wait.js';
import { waitExitCode, waitOptions, watchAndReport } from '../wait.js';

export type ApplyFlags = ConnectionFlags &
  SourceFlags &
  WaitFlags &
  RecreateFlags & {
    forceConflicts?: boolean;
    prune: boolean;
    adopt?: boolean;
    rollbackOnFailure?: boolean;
    message: string;
    revisionsKept: number;
  };

/** The options `apply` and `deploy` share (`repeatableEnv`: deploy's several environments at once). */
export function applyingCommand(
  program: Command,
  name: string,
  description: string,
  repeatableEnv = false,
): Command {
  const command = withSources(withConnection(program.command(name).description(description), repeatableEnv))
    .option('--dry-run', 'let the server validate everything, store nothing')
    .option('-y, --yes', 'apply without asking (required when stdin is not a terminal)')
    .option('--force-conflicts', 'take over fields that another field manager owns')
    .option('--adopt', 'take over objects that belong to another ApplySet');
  return withRecreateOnImmutable(command)
    .option('--no-prune', 'keep objects that left the app')
    .option('--rollback-on-failure', 'apply the previous revision again when the apply or the wait fails')
    .option('-m, --message <text>', 'why, recorded with the revision', '')
    .addOption(
      new Option('--revisions-kept <n>', 'how many revisions to keep')
        .argParser(parsePositiveCount)
        .default(10),
    )
    .addOption(durationOption('--timeout <duration>', 'how long to wait for everything to be ready', '5m'))
    .addOption(durationOption('--object-timeout <duration>', 'how long to wait for any one object'));
}

/** Change set, confirmation, apply, optional wait: what `apply` and `deploy` do once they have manifests. */
export async function applyWithConfirmation(
  io: CliIo,
  manifests: Manifest[],
  flags: ApplyFlags,
  wait: boolean,
): Promise<void> {
  const release = connect(io, flags);
  const done: Done = { applied: 0, pruned: 0 };
  // From the lock on, an interrupt stops the command, says what was done and gives the lock up.
  const stopInterrupts = onInterrupt(async () => {
    done.interrupted = true;
    done.progress?.stop();
    const revision = await release.interrupt();
    io.stderr.write(`${interruptedMessage(done, revision)}\n`);
  });
  try {
    // The lock is taken before the change set and held through the confirmation and the apply.
    await release.locked('apply', () => confirmAndApply(io, release, manifests, flags, wait, done));
  } finally {
    stopInterrupts();
  }
}

/** What an apply did so far, for the message of an interrupt. */
interface Done {
  interrupted?: boolean;
  /** Set when the apply starts. */
  changeSet?: ChangeSet;
  progress?: ProgressView;
  applied: number;
  pruned: number;
}

function interruptedMessage(done: Done, revision: Revision | undefined): string {
  if (!done.changeSet) {
    return 'interrupted before anything was applied: nothing changed';
  }
  const recorded = revision
    ? `recorded as revision ${revision.number} (${revision.status})`
    : 'no revision recorded';
  return `interrupted: ${done.applied} of ${desiredObjects(done.changeSet).length} objects applied, ${done.pruned} of ${prunedObjects(done.changeSet).length} pruned, ${recorded}; running the command again is safe: it applies what is missing and prunes only after every apply succeeded`;
}

async function confirmAndApply(
  io: CliIo,
  release: Release,
  manifests: Manifest[],
  flags: ApplyFlags,
  wait: boolean,
  done: Done,
): Promise<void> {
  const changeSet = await release.changeSet(manifests, {
    prune: flags.prune,
    adopt: flags.adopt,
    forceConflicts: flags.forceConflicts,
    // On a terminal the change set shows the recreation, and the confirmation below is the consent.
    recreateOnImmutable: mayRecreate(io, flags),
  });
  const text = flags.output === 'text';
  if (text) {
    printChangeSet(io, changeSet, false);
  }
  if (!hasChanges(changeSet)) {
    await finishUnchanged(io, release, manifests, flags, wait, changeSet);
  }
  if (!flags.dryRun && !flags.yes) {
    if (!io.stdin.isTTY) {
      // kapp's rule: without a terminal to ask on, only an explicit --yes applies.
      throw new Error('nothing applied: stdin is not a terminal, so there is no one to confirm; pass --yes');
    }
    if (!(await confirm(io, 'Apply these changes?'))) {
      io.stderr.write('nothing applied\n');
      throw new ExitCode(EXIT.failed);
    }
  }
  const progress = text ? createProgress({ stream: io.stdout }) : undefined;
  // An interrupt may come while the change set is computed: then nothing is applied.
  done.changeSet = done.interrupted ? undefined : changeSet;
  done.progress = progress;
  try {
    const result = await release.apply(changeSet, {
      dryRun: flags.dryRun,
      forceConflicts: flags.forceConflicts,
      message: flags.message,
      rollbackOnFailure: flags.rollbackOnFailure,
      keepRevisions: flags.revisionsKept,
      onObject: (e) => {
        done[e.action]++;
        progress?.note(`${e.action} ${e.ref}`);
      },
      wait: wait ? waitOptions(flags, progress) : undefined,
    });
    progress?.stop();
    if (text) {
      io.stdout.write(
        flags.dryRun
          ? `dry run: ${result.applied.length} objects validated by the server, nothing stored\n`
          : `applied ${result.applied.length} objects, pruned ${result.pruned.length}; recorded revision ${result.revision?.number}\n`,
      );
    } else {
      printJson(io, {
        changeSet: changeSetJson(changeSet),
        applied: result.applied.length,
        pruned: result.pruned,
        revision: result.revision,
        wait: result.wait,
        warnings: release.warnings,
      });
    }
  } finally {
    progress?.stop();
  }
}

/**
 * A change set with nothing to apply: records the manifests if an apply before stopped short of it, waits
 * for `deploy` (the app may not be ready yet), and ends the command.
 */
async function finishUnchanged(
  io: CliIo,
  release: Release,
  manifests: Manifest[],
  flags: ApplyFlags,
  wait: boolean,
  changeSet: ChangeSet,
): Promise<never> {
  const text = flags.output === 'text';
  const recorded = flags.dryRun
    ? undefined
    : await release.recordUnrecorded(changeSet, { message: flags.message });
  if (recorded && text) {
    io.stdout.write(`recorded revision ${recorded.number}: ${recorded.message}\n`);
  }
  const waited = wait ? await watchAndReport(io, release, manifests, flags) : undefined;
  if (!text) {
    printJson(io, {
      changeSet: changeSetJson(changeSet),
      applied: 0,
      pruned: [],
      wait: waited,
      warnings: release.warnings,
    });
  }
  throw new ExitCode(waited ? waitExitCode(waited) : EXIT.ok);
}

export function registerApply(program: Command, io: CliIo): void {
  applyingCommand(
    program,
    'apply',
    'apply the app with server-side apply, prune what left it, record a revision',
  )
    .option('--wait', 'wait until everything applied is ready')
    .action(async (paths: string[], flags: ApplyFlags & { wait?: boolean }) => {
      await applyWithConfirmation(io, await loadSources(io, paths, flags), flags, flags.wait ?? false);
    });
}
