/**
 * What commands share: the connection options (defined once), manifest sources, and the argument
 * parsers that turn flags into numbers and durations, refusing anything else with the flag's name.
 */
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import type { Manifest } from '../client/index.js';
import { loadKubeConfig, loadManifests, Release } from '../client/index.js';
import { parseDuration } from './duration.js';
import type { CliIo } from './io.js';

export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  applyset?: string;
  output: 'text' | 'json';
  requestRetries: number;
}

export interface SourceFlags {
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

/** A duration in milliseconds (`90s`, `5m`, `1h30m`), for commander's argParser. */
export function parseDurationFlag(value: string): number {
  try {
    const ms = parseDuration(value);
    if (ms <= 0) {
      throw new Error('a duration must be more than 0');
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

/** Adds the connection options every command takes. */
export function withConnection(command: Command): Command {
  return command
    .option('--kubeconfig <path>', 'the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .option('--context <name>', 'the kubeconfig context')
    .option('-n, --namespace <name>', 'namespace of the ApplySet and of objects that name none')
    .option('--applyset <name>', 'name of the ApplySet parent Secret (default: the project directory name)')
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

/** The release the flags name, on the cluster they name. */
export function connect(io: CliIo, flags: ConnectionFlags): Release {
  return Release.connect({
    kubeConfig: loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context, env: io.env }),
    name:
      flags.applyset ??
      basename(resolve(io.cwd))
        .toLowerCase()
        .replace(/[^a-z0-9.-]/g, '-'),
    namespace: flags.namespace,
    retry: { retries: flags.requestRetries },
  });
}

/** The manifests of the paths and `-f` flags, else of `dist/`. */
export function loadSources(io: CliIo, paths: readonly string[], flags: SourceFlags): Promise<Manifest[]> {
  const all = [...paths, ...flags.filename];
  return loadManifests((all.length > 0 ? all : ['dist']).map((p) => resolve(io.cwd, p)));
}
