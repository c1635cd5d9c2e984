/**
 * `--env <name>`: one environment of package.json's "cdk8s-devops" key (see lib/gitops/project-config.ts),
 * whose folder (`dist/<name>`), ApplySet and namespace the command uses unless flags name others.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { EnvironmentTarget, LoadedProjectConfig } from '../lib/gitops/project-config.js';
import { readProjectConfig, resolveEnvironment } from '../lib/gitops/project-config.js';
import type { CliIo } from './io.js';

export interface EnvironmentFlags {
  env?: string;
  applyset?: string;
  namespace?: string;
}

const ENV_HELP =
  'an environment of package.json\'s "cdk8s-devops" key: its folder dist/<name>, ApplySet, namespace and cluster';

/** Adds `--env <name>`; `repeatable` (deploy) collects every one given into a list. */
export function withEnvironment(command: Command, repeatable = false): Command {
  return repeatable
    ? command.option(
        '-e, --env <name>',
        `${ENV_HELP} (repeatable: several deploy at once)`,
        (value: string, previous: string[] = []) => [...previous, value],
      )
    : command.option('-e, --env <name>', ENV_HELP);
}

/** Each command's read of package.json, by the CliIo runCli gives it (a new one per run). */
const projects = new WeakMap<CliIo, LoadedProjectConfig | undefined>();

/**
 * The project's package.json (its "cdk8s-devops" key and name), read once per command however many of
 * its options ask; undefined when the folder has none.
 */
export function projectOf(io: CliIo): LoadedProjectConfig | undefined {
  if (!projects.has(io)) {
    projects.set(io, existsSync(join(io.cwd, 'package.json')) ? readProjectConfig(io.cwd) : undefined);
  }
  return projects.get(io);
}

/** The environment `--env` names, from the project's package.json; an unknown name is an error. */
export function environmentOf(io: CliIo, flags: EnvironmentFlags): EnvironmentTarget | undefined {
  // Without a package.json, readProjectConfig's error names the file it could not read.
  return flags.env === undefined
    ? undefined
    : resolveEnvironment(projectOf(io) ?? readProjectConfig(io.cwd), flags.env);
}

/**
 * Where manifests come from when no path is given: the environment's folder, else `dist`. A project that
 * declares environments publishes nothing into `dist` itself, so there an environment must be chosen.
 */
export function defaultSource(io: CliIo, flags: EnvironmentFlags): string {
  const environment = environmentOf(io, flags);
  if (environment) {
    return environment.folder;
  }
  const declared = Object.keys(projectOf(io)?.config.environments ?? {});
  if (declared.length > 0) {
    throw new Error(
      `package.json "cdk8s-devops" declares the environments ${declared.map((e) => `"${e}"`).join(', ')}: choose one with --env <name>, or name the manifests to use`,
    );
  }
  return 'dist';
}
