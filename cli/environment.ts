/**
 * `--env <name>`: one environment of package.json's "cdk8s-devops" key (see lib/gitops/project-config.ts),
 * whose folder (`dist/<name>`), ApplySet and namespace the command uses unless flags name others.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { EnvironmentTarget, LoadedProjectConfig } from '../lib/gitops/project-config.js';
import { readProjectConfig, resolveEnvironment } from '../lib/gitops/project-config.js';

export interface EnvironmentFlags {
  env?: string;
  applyset?: string;
  namespace?: string;
}

export function withEnvironment(command: Command): Command {
  return command.option(
    '-e, --env <name>',
    'an environment of package.json\'s "cdk8s-devops" key: its folder dist/<name>, ApplySet and namespace',
  );
}

/**
 * The environment `--env` names, from the project's package.json (read unless given); an unknown name
 * is an error.
 */
export function environmentOf(
  cwd: string,
  flags: EnvironmentFlags,
  project?: LoadedProjectConfig,
): EnvironmentTarget | undefined {
  return flags.env === undefined
    ? undefined
    : resolveEnvironment(project ?? readProjectConfig(cwd), flags.env);
}

/**
 * Where manifests come from when no path is given: the environment's folder, else `dist`. A project that
 * declares environments publishes nothing into `dist` itself, so there an environment must be chosen.
 */
export function defaultSource(cwd: string, flags: EnvironmentFlags): string {
  const environment = environmentOf(cwd, flags);
  if (environment) {
    return environment.folder;
  }
  if (existsSync(join(cwd, 'package.json'))) {
    const declared = Object.keys(readProjectConfig(cwd).config.environments ?? {});
    if (declared.length > 0) {
      throw new Error(
        `package.json "cdk8s-devops" declares the environments ${declared.map((e) => `"${e}"`).join(', ')}: choose one with --env <name>, or name the manifests to use`,
      );
    }
  }
  return 'dist';
}
