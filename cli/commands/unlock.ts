/** `unlock`: break the lock of a command that died (SIGKILL, a lost machine) instead of waiting for it to expire. */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import type { ConnectionFlags } from '../options.js';
import { connect, withConnection } from '../options.js';

export function registerUnlock(program: Command, io: CliIo): void {
  withConnection(
    program
      .command('unlock')
      .description("break the release's lock, held by a command that is no longer running"),
  ).action(async (flags: ConnectionFlags) => {
    const release = connect(io, flags);
    const broken = await release.breakLock();
    io.stdout.write(
      broken
        ? `broke the lock of ${release.applySet.name}; a command that still held it stops before its next change\n`
        : `${release.applySet.name} was not locked\n`,
    );
  });
}
