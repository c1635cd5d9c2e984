/**
 * `deploy`: `cdk8s synth`, then apply's change set, confirmation and apply, then a watch, in one command;
 * with several `--env`, one synth and then every environment's release at once (deploy-environments.ts).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadSources } from '../options.js';
import type { ApplyFlags } from './apply.js';
import { applyingCommand, applyWithConfirmation } from './apply.js';
import type { DeployFlags } from './deploy-environments.js';
import { checkEnvironments, deployEnvironments } from './deploy-environments.js';

export function registerDeploy(program: Command, io: CliIo): void {
  applyingCommand(program, 'deploy', 'synth, diff, confirm, apply and watch, in one command', true)
    .option('--no-synth', 'use the manifests as they are, without running `cdk8s synth`')
    .action(async (paths: string[], flags: DeployFlags) => {
      const environments = checkEnvironments(io, paths, flags);
      if (flags.synth) {
        await synth(io, environments);
      }
      if (environments.length > 1) {
        await deployEnvironments(io, environments, flags);
        return;
      }
      const one: ApplyFlags = { ...flags, env: environments[0] };
      await applyWithConfirmation(io, await loadSources(io, paths, one), one, true);
    });
}

/** `cdk8s synth` in the project, with the project's own cdk8s-cli, as `npm run synth` runs it. */
async function synth(io: CliIo, environments: readonly string[]): Promise<void> {
  const cdk8s = join(io.cwd, 'node_modules', '.bin', 'cdk8s');
  if (!existsSync(cdk8s)) {
    throw new Error(`cdk8s-cli is not installed in ${io.cwd}: run \`npm install\` there, or pass --no-synth`);
  }
  try {
    // With --env, only those environments are synthesized (see Environments in lib/gitops).
    const synthEnv =
      environments.length === 0 ? io.env : { ...io.env, CDK8S_DEVOPS_ENV: environments.join(',') };
    await promisify(execFile)(cdk8s, ['synth', '--no-check-upgrade'], { cwd: io.cwd, env: synthEnv });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`cdk8s synth failed in ${io.cwd}:\n${stderr?.trim() || String(error)}`);
  }
}
