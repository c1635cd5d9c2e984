/**
 * `publish`: synthesizes the environments, writes their folders into the GitOps repository and pushes one
 * commit naming the source commit and the environments changed. `--dry-run` exits like `diff`.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readProjectConfig, resolveEnvironment } from '../../lib/gitops/project-config.js';
import type { CliIo } from '../io.js';
import { EXIT, ExitCode } from '../io.js';
import type { EnvironmentChanges } from '../publish/env-changes.js';
import { describeEnvironmentChanges, hasEnvironmentChanges } from '../publish/env-changes.js';
import { runSynth, sourceCommit } from '../publish/source.js';
import { markerText, WorkingCopy } from '../publish/working-copy.js';

/** Where `cluster:up` and people put the GitOps repository's URL. */
export const GIT_URL_VARIABLE = 'CDK8S_DEVOPS_GIT_URL';

interface PublishFlags {
  repo?: string;
  branch: string;
  path: string;
  env: string[];
  dryRun?: boolean;
  allowDirty?: boolean;
  synth: string | false;
}

export function registerPublish(program: Command, io: CliIo): void {
  program
    .command('publish')
    .description('synthesize the environments and push their folders to the GitOps repository, in one commit')
    .option('--repo <url>', `the GitOps repository (default: $${GIT_URL_VARIABLE})`)
    .option('--branch <name>', 'the branch the GitOps engine reads', 'main')
    .option('--path <folder>', 'the folder of the repository that holds the environment folders', 'dist')
    .option(
      '-e, --env <names>',
      'environments to publish, comma-separated (default: every one)',
      collectNames,
      [],
    )
    .option('--dry-run', 'show what would change per environment, push nothing; exits 1 when something would')
    .option('--allow-dirty', 'publish from a source tree with uncommitted changes')
    .option('--synth <command>', 'the command that synthesizes dist/<env>', 'npx cdk8s synth')
    .option('--no-synth', 'publish dist/<env> as it is, without synthesizing first')
    .action(async (flags: PublishFlags) => {
      const changes = await publish(io, flags);
      throw new ExitCode(flags.dryRun && changes.some(hasEnvironmentChanges) ? EXIT.diffChanges : EXIT.ok);
    });
}

async function publish(io: CliIo, flags: PublishFlags): Promise<EnvironmentChanges[]> {
  const repo = flags.repo ?? io.env[GIT_URL_VARIABLE];
  if (!repo) {
    throw new Error(`no GitOps repository: pass --repo <url>, or set $${GIT_URL_VARIABLE}`);
  }
  const project = readProjectConfig(io.cwd);
  const names = flags.env.length > 0 ? flags.env : Object.keys(project.config.environments ?? {});
  const environments = names.map((name) => resolveEnvironment(project, name));
  const commit = await sourceCommit(io.cwd, flags.allowDirty ?? false);
  if (flags.synth !== false) {
    await runSynth(flags.synth, io.cwd, io.env);
  }
  const copy = await WorkingCopy.clone(repo, flags.branch, flags.path);
  try {
    const changes: EnvironmentChanges[] = [];
    for (const env of environments) {
      const source = resolve(io.cwd, env.folder);
      changes.push(await copy.write(env.name, source, markerText(env.name, commit)));
      io.stdout.write(describeEnvironmentChanges(changes.at(-1)!));
    }
    const changed = changes.filter(hasEnvironmentChanges).map((c) => c.environment);
    if (flags.dryRun) {
      return changes;
    }
    if (!(await copy.commit(commitMessage(changed, commit)))) {
      io.stdout.write(`nothing to publish: ${flags.path}/ in ${repo} already holds these folders\n`);
      return changes;
    }
    await copy.push(changed);
    io.stdout.write(
      `published ${changed.join(', ')} from ${commit.slice(0, 7)} as ${await copy.head()} to ${repo} ${flags.branch}\n`,
    );
    return changes;
  } finally {
    await copy.remove();
  }
}

/** One line naming what changed and from which source commit, and the full commit as a trailer. */
export function commitMessage(environments: readonly string[], commit: string): string {
  const list = environments.length > 0 ? environments.join(', ') : 'no object changes';
  return `publish ${list} from ${commit.slice(0, 7)}\n\nSource-Commit: ${commit}\nEnvironments: ${environments.join(', ')}\n`;
}

function collectNames(value: string, previous: string[]): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== ''),
  ];
}
