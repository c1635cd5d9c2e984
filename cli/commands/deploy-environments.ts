/**
 * `deploy --env staging --env prod`: each environment's release on its own cluster (its "context" and
 * "kubeconfig" in package.json), all at once, each with its own lock, history and wait. Their lines are
 * prefixed with the environment; one failing never stops or rolls back another; the command exits with
 * the worst of their exit codes and says which failed.
 */
import { environmentOf } from '../environment.js';
import { exitCodeOf } from '../exit-code.js';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import { labelledIo } from '../labelled-io.js';
import { loadSources } from '../options.js';
import type { ApplyFlags } from './apply.js';
import { applyWithConfirmation } from './apply.js';

export type DeployFlags = Omit<ApplyFlags, 'env'> & { env?: string[]; synth: boolean };

/**
 * The environments `--env` names, checked before anything is synthesized or applied: each declared and
 * named once, and with several, no flag that names one release or one cluster for all of them.
 */
export function checkEnvironments(io: CliIo, paths: readonly string[], flags: DeployFlags): string[] {
  const names = flags.env ?? [];
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    throw new Error(`--env ${twice} is given twice: name each environment once`);
  }
  if (names.length < 2) {
    return names;
  }
  for (const name of names) {
    // Unknown names fail here, naming the declared ones.
    environmentOf(io, { env: name });
  }
  const list = `--env ${names.join(' --env ')}`;
  const single = [
    { flag: '--context', key: 'context', what: 'cluster', given: flags.context },
    { flag: '--applyset', key: 'applySet', what: 'release', given: flags.applyset },
    { flag: '--namespace', key: 'namespace', what: 'release', given: flags.namespace },
  ];
  for (const { flag, key, what, given } of single) {
    if (given !== undefined) {
      throw new Error(
        `${flag} names one ${what}, but ${list} deploys ${names.length} environments: set "${key}" in package.json "cdk8s-devops".environments.<name> for each, or deploy one --env at a time`,
      );
    }
  }
  if (paths.length > 0 || flags.filename.length > 0) {
    throw new Error(
      `manifest paths name one app, but ${list} deploys each environment's own folder dist/<name>: drop the paths, or deploy one --env at a time`,
    );
  }
  if (flags.output === 'json') {
    throw new Error(`-o json prints one release: deploy one --env at a time, or drop -o json`);
  }
  if (!flags.yes && !flags.dryRun) {
    throw new Error(
      `nothing applied: ${list} deploys ${names.length} environments at once, with no one to confirm each; pass --yes (or --dry-run to see their change sets)`,
    );
  }
  return names;
}

/** Deploys every environment at once; throws the worst exit code after a line per environment. */
export async function deployEnvironments(
  io: CliIo,
  environments: readonly string[],
  flags: DeployFlags,
): Promise<void> {
  const codes = await Promise.all(environments.map((name) => deployOne(io, name, flags)));
  const outcomes = environments.map((name, i) => `${name}: ${outcomeOf(codes[i])}`);
  const failed = environments.filter((_, i) => codes[i] !== EXIT.ok);
  io.stdout.write(
    failed.length === 0
      ? `deployed ${environments.join(', ')}\n`
      : `${failed.length} of ${environments.length} environments failed (${failed.join(', ')}); each ran to its own end:\n${outcomes.map((o) => `  ${o}\n`).join('')}`,
  );
  const worst = Math.max(...codes);
  if (worst !== EXIT.ok) {
    throw new ExitCode(worst);
  }
}

/** One environment's deploy, on lines labelled with its name; resolves to its exit code, never throws. */
async function deployOne(io: CliIo, name: string, flags: DeployFlags): Promise<number> {
  const own = labelledIo(io, name);
  const envFlags: ApplyFlags = { ...flags, env: name };
  try {
    await applyWithConfirmation(own, await loadSources(own, [], envFlags), envFlags, true);
    return EXIT.ok;
  } catch (error) {
    return exitCodeOf(error, own, EXIT.failed);
  } finally {
    own.flush();
  }
}

function outcomeOf(code: number): string {
  switch (code) {
    case EXIT.ok:
      return 'deployed';
    case EXIT.timedOut:
      return 'applied, not ready in time (exit 2)';
    case EXIT.interrupted:
      return 'interrupted (exit 130)';
    default:
      return `failed (exit ${code})`;
  }
}
