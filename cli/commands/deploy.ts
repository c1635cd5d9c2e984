/** `deploy`: `cdk8s synth`, then apply's change set, confirmation and apply, then a watch, in one command. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadSources } from '../options.js';
import type { ApplyFlags } from './apply.js';
import { applyingCommand, applyWithConfirmation } from './apply.js';

export function registerDeploy(program: Command, io: CliIo): void {
  applyingCommand(program, 'deploy', 'synth, diff, confirm, apply and watch, in one command')
    .option('--no-synth', 'use the manifests as they are, without running `cdk8s synth`')
    .action(async (paths: string[], flags: ApplyFlags & { synth: boolean }) => {
      if (flags.synth) {
        await synth(io);
      }
      await applyWithConfirmation(io, await loadSources(io, paths, flags), flags, true);
    });
}

/** `cdk8s synth` in the project, with the project's own cdk8s-cli, as `npm run synth` runs it. */
async function synth(io: CliIo): Promise<void> {
  const cdk8s = join(io.cwd, 'node_modules', '.bin', 'cdk8s');
  if (!existsSync(cdk8s)) {
    throw new Error(`cdk8s-cli is not installed in ${io.cwd}: run \`npm install\` there, or pass --no-synth`);
  }
  try {
    await promisify(execFile)(cdk8s, ['synth', '--no-check-upgrade'], { cwd: io.cwd, env: io.env });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`cdk8s synth failed in ${io.cwd}:\n${stderr?.trim() || String(error)}`);
  }
}
