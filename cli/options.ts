/**
 * What commands share: the connection options (defined once), manifest sources, and the argument
 * parsers that turn flags into numbers and durations, refusing anything else with the flag's name.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Manifest } from '../client/index.js';
import { loadKubeConfig, loadManifests, Release } from '../client/index.js';
import { parseDuration } from './duration.js';
import type { EnvironmentFlags } from './environment.js';
import { applySetNameOf } from '../lib/gitops/project-config.js';
import { defaultSource, environmentOf, projectOf, withEnvironment } from './environment.js';
import type { CliIo } from './io.js';

export interface ConnectionFlags extends EnvironmentFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  applyset?: string;
  output: 'text' | 'json';
  requestRetries: number;
}

export interface SourceFlags extends EnvironmentFlags {
  filename: string[];
}

/** A whole number 0 or more, for commander's argParser. */
export function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new InvalidArgumentError('expected a whole number 0 or more.');
  }
  return Number(value);
}

/** A whole number 1 or more, for commander's argParser. */
export function parsePositiveCount(value: string): number {
  const count = parseCount(value);
  if (count < 1) {
    throw new InvalidArgumentError('expected a whole number 1 or more.');
  }
  return count;
}

/** The longest timer Node.js keeps (2^31 - 1 ms, 24.8 days): a longer one fires at once. */
const MAX_DURATION_MS = 2 ** 31 - 1;

/** A duration in milliseconds (`90s`, `5m`, `1h30m`), for commander's argParser. */
export function parseDurationFlag(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) {
      throw new Error('a duration must be more than 0');
    }
    if (ms > MAX_DURATION_MS) {
      throw new Error('a duration must be at most 596h (24 days), the longest a timer can wait');
    }
    return ms;
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
}

/** A duration flag whose default is shown as written (`5m`). */
export function durationOption(flags: string, description: string, defaultValue?: string): Option {
  const option = new Option(flags, description).argParser(parseDurationFlag);
  return defaultValue === undefined ? option : option.default(parseDuration(defaultValue), defaultValue);
}

/** Adds the connection options every command takes (`repeatableEnv`: see withEnvironment). */
export function withConnection(command: Command, repeatableEnv = false): Command {
  return withEnvironment(command, repeatableEnv)
    .option('--kubeconfig <path>', 'the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'the kubeconfig context')
    .option('-n, --namespace <name>', 'namespace of the ApplySet and of objects that name none')
    .option(
      '--applyset <name>',
      'name of the ApplySet parent Secret (default: "cdk8s-devops": { "applySet" } in package.json, else the package name)',
    )
    .addOption(
      new Option('--request-retries <n>', 'retries of a failed request, with backoff')
        .argParser(parseCount)
        .default(8),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'),
    );
}

/** Adds the manifest arguments: paths, and `-f` (repeatable). */
export function withSources(command: Command): Command {
  return command
    .argument('[paths...]', 'manifest files or folders (default: dist/)')
    .option('-f, --filename <path>', 'a manifest file or folder (repeatable)', collect, []);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Where the ApplySet's name and namespace come from: flags, else the environment `--env` names (see
 * lib/gitops/project-config.ts), else the package.json `cdk8s-devops` key, else the package's name.
 * Never from the folder, so a clone elsewhere is the same release. package.json is read once per command
 * (projectOf).
 */
export function releaseIdentity(
  io: CliIo,
  flags: EnvironmentFlags,
): { name: string; namespace?: string; source: string } {
  const file = join(io.cwd, 'package.json');
  const project = projectOf(io);
  const settings = project?.config ?? {};
  const environment = environmentOf(io, flags);
  const namespace = flags.namespace ?? environment?.namespace ?? settings.namespace;
  if (flags.applyset) {
    // The flag wins; the header says which ApplySet it replaced, as `--env` alone would act on another one.
    const replaced =
      environment && environment.applySet !== flags.applyset
        ? ` instead of ${environment.applySet}, the ApplySet of --env ${environment.name}`
        : '';
    return { name: flags.applyset, namespace, source: `--applyset${replaced}` };
  }
  if (environment) {
    return {
      name: environment.applySet,
      namespace,
      source: `${file} "cdk8s-devops.environments.${environment.name}"`,
    };
  }
  if (settings.applySet) {
    return { name: settings.applySet, namespace, source: `${file} "cdk8s-devops.applySet"` };
  }
  if (project?.packageName) {
    return { name: applySetNameOf(project.packageName), namespace, source: `${file} "name"` };
  }
  throw new Error(
    `no ApplySet name: pass --applyset, or set "cdk8s-devops": { "applySet": "<name>", "namespace": "<namespace>" } in ${file}`,
  );
}

/**
 * The kubeconfig and context: the flags, else the environment's own (`"context"`, `"kubeconfig"`, a path
 * relative to the project), else the kubeconfig's defaults.
 */
export function clusterOf(
  io: CliIo,
  flags: Pick<ConnectionFlags, 'env' | 'kubeconfig' | 'context'>,
): { kubeconfig?: string; context?: string } {
  const environment = environmentOf(io, flags);
  const own = environment?.kubeconfig;
  return {
    kubeconfig: flags.kubeconfig ?? (own === undefined ? undefined : resolve(io.cwd, own)),
    context: flags.context ?? environment?.context,
  };
}

/** The release the flags name, on the cluster they name; text output starts with the ApplySet it acts on. */
export function connect(io: CliIo, flags: ConnectionFlags): Release {
  const identity = releaseIdentity(io, flags);
  const release = Release.connect({
    kubeConfig: loadKubeConfig({ ...clusterOf(io, flags), env: io.env }),
    name: identity.name,
    namespace: identity.namespace,
    retry: { retries: flags.requestRetries },
    // As kubectl prints them, whatever the output format (`-o json` also lists them under "warnings").
    onWarning: (text) => io.stderr.write(`Warning: ${text}\n`),
    onStep: io.onStep,
  });
  if (flags.output === 'text') {
    io.stdout.write(
      `ApplySet ${release.applySet.name} in namespace ${release.applySet.namespace} (from ${identity.source})\n`,
    );
  }
  return release;
}

/**
 * The manifests of the paths and `-f` flags, else of the environment's folder (`--env`), else of `dist/`;
 * `keep` says what to keep of each (a wait keeps only what names it).
 */
export function loadSources(
  io: CliIo,
  paths: readonly string[],
  flags: SourceFlags,
  keep?: (manifest: Manifest) => Manifest,
): Promise<Manifest[]> {
  const all = [...paths, ...flags.filename];
  return loadManifests(
    (all.length > 0 ? all : [defaultSource(io, flags)]).map((p) => resolve(io.cwd, p)),
    keep,
  );
}
