/**
 * `cdk8s-devops publish` of the fleet's environments (one per team, bench/fleet-environments.ts) into a
 * fresh GitOps repository, against `git add -A && git commit` of the same folders in another fresh
 * repository; then a publish from a new source commit that changed one service, against git committing
 * the same change. Besides the times: the bytes of the objects each commit adds (their content, as
 * `git cat-file` sizes them, so that loose objects and packs count alike).
 */
import { execFile } from 'node:child_process';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { markerText, PUBLISH_MARKER } from '../cli/publish/working-copy.js';
import { writeFleetEnvironments } from './fleet-environments.js';
import type { Sample, Section } from './measure.js';
import { measureOnce, row } from './measure.js';

const run = promisify(execFile);
const sh = async (command: string, cwd: string) =>
  (await run('sh', ['-c', command], { cwd, maxBuffer: 256 * 1024 * 1024 })).stdout.trim();

/** The same identity for both sides, so that their commit objects weigh alike. */
const IDENTITY =
  'GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com';

export interface PublishBenchOptions {
  readonly services: number;
  readonly runs: number;
  /** The project root (for the CLI). */
  readonly cwd: string;
  /** Scratch folder. */
  readonly dir: string;
}

export interface PublishCommitBytes {
  readonly git: number;
  readonly publish: number;
}

export interface PublishBenchResult {
  readonly sections: readonly Section[];
  readonly bytes: { readonly first: PublishCommitBytes; readonly second: PublishCommitBytes };
}

/** The content bytes of the objects reachable from `range` (`HEAD`, `HEAD ^HEAD~1`) in a repository. */
export async function objectBytes(gitDir: string, range: string): Promise<number> {
  const sizes = await sh(
    `git --git-dir=${gitDir} rev-list --objects ${range} | cut -d' ' -f1 | git --git-dir=${gitDir} cat-file --batch-check='%(objectsize)'`,
    gitDir,
  );
  return sizes.split('\n').reduce((sum, n) => sum + Number(n), 0);
}

/** The source project: one environment per team, dist/ a link to the synthesized folders, commits A and B. */
async function sourceProject(dir: string, environments: readonly string[]): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const declared = Object.fromEntries(environments.map((e) => [e, {}]));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'fleet', 'cdk8s-devops': { environments: declared } }),
  );
  await writeFile(join(dir, '.gitignore'), 'dist\n');
  await sh(`git init -q -b main && git add -A && ${IDENTITY} git commit -q -m A`, dir);
  const a = await sh('git rev-parse HEAD', dir);
  await writeFile(join(dir, 'CHANGE'), 'one service changed\n');
  await sh(`git add -A && ${IDENTITY} git commit -q -m B`, dir);
  return [a, await sh('git rev-parse HEAD', dir)];
}

/** Checks out `commit` with dist/ the folders of `fleet`. */
async function sourceAt(dir: string, commit: string, fleet: string): Promise<void> {
  await sh(`git checkout -q ${commit}`, dir);
  await rm(join(dir, 'dist'), { force: true });
  await symlink(fleet, join(dir, 'dist'));
}

/** What git is given for the second commit: the files that changed, and the marker of their environment. */
async function copyChanges(from: string, to: string, environments: readonly string[], commit: string) {
  for (const environment of environments) {
    const changed = await sh(
      `diff -rq ${join(from, environment)} ${join(to, environment)} | grep -c differ || true`,
      to,
    );
    if (changed !== '0') {
      await sh(`cp ${join(from, environment)}/* ${join(to, environment)}/`, to);
      await writeFile(join(to, environment, PUBLISH_MARKER), markerText(environment, commit));
    }
  }
}

export async function benchPublish(options: PublishBenchOptions): Promise<PublishBenchResult> {
  const [fleetA, fleetB] = [join(options.dir, 'fleet-a'), join(options.dir, 'fleet-b')];
  const environments = await writeFleetEnvironments(fleetA, { services: options.services });
  await writeFleetEnvironments(fleetB, {
    services: options.services,
    changed: (i) => i === options.services - 1,
  });
  const source = join(options.dir, 'source');
  const [a, b] = await sourceProject(source, environments);
  const cli = join(options.cwd, 'cli', 'cdk8s-devops.mjs');
  const samples = new Map<string, Sample[]>();
  let bytes: PublishBenchResult['bytes'] | undefined;
  // Run -1 warms the CLI's bundle and the page cache; not counted.
  for (let i = -1; i < options.runs; i++) {
    const run = await publishRun(
      { ...options, cli, source, commits: [a, b], fleets: [fleetA, fleetB], environments },
      i + 1,
    );
    bytes ??= run.bytes;
    for (const [key, sample] of i < 0 ? [] : Object.entries(run.samples)) {
      samples.set(key, [...(samples.get(key) ?? []), sample]);
    }
  }
  const files = Number(await sh(`find -L ${fleetA} -type f | wc -l`, options.dir));
  const mib = Number(await sh(`du -sLk ${fleetA} | cut -f1`, options.dir)) / 1024;
  const section = (id: 'first' | 'second', title: string): Section => ({
    id: `publish-${id}`,
    title: `GitOps publish of the fleet (N = ${options.services}: ${environments.length} environments, ${files} files, ${mib.toFixed(1)} MiB), ${title}`,
    runs: options.runs,
    rows: [
      row('`git add -A && git commit`', samples.get(`${id}|git`)!),
      row('`cdk8s-devops publish --no-synth`', samples.get(`${id}|publish`)!),
      row('`git add -A && git commit && git push`', samples.get(`${id}|git+push`)!),
    ],
    figures: { gitCommitBytes: bytes![id].git, publishCommitBytes: bytes![id].publish },
    notes: [
      `Commit size (content bytes of the objects it adds): git ${bytes![id].git}, publish ${bytes![id].publish} (${(bytes![id].publish / bytes![id].git).toFixed(3)}x).`,
      'publish clones the GitOps repository, compares, writes, commits and pushes; git commits the same folders in place (the last row: and pushes them to a bare repository of its own, as publish does).',
    ],
  });
  return {
    sections: [
      section('first', 'first commit, into an empty repository'),
      section('second', 'one service changed, from a new source commit'),
    ],
    bytes: bytes!,
  };
}

interface RunContext extends PublishBenchOptions {
  readonly cli: string;
  readonly source: string;
  readonly commits: readonly [string, string];
  readonly fleets: readonly [string, string];
  readonly environments: readonly string[];
}

/** One run: both publishes, and git committing (and pushing) the same folders; their bytes. */
async function publishRun(ctx: RunContext, n: number) {
  const [bare, pushed, plain] = [`publish-${n}.git`, `git-${n}.git`, `git-${n}`].map((f) => join(ctx.dir, f));
  await mkdir(plain);
  await sh(
    `git init -q --bare -b main ${bare} && git init -q --bare -b main ${pushed} && git init -q -b main ${plain}`,
    ctx.dir,
  );
  const publish = `${IDENTITY} node ${ctx.cli} publish --repo ${bare} --no-synth >/dev/null`;
  const message = () => sh(`git --git-dir=${bare} log -1 --format=%B main`, ctx.dir);
  const commit = async () => {
    const file = await writeMessage(ctx.dir, await message());
    const committed = await measureOnce(`git add -A && ${IDENTITY} git commit -q -F ${file}`, plain);
    const push = await measureOnce(`git push -q ${pushed} HEAD:refs/heads/main`, plain);
    const both = {
      ...push,
      seconds: committed.seconds + push.seconds,
      maxRssMiB: Math.max(committed.maxRssMiB, push.maxRssMiB),
    };
    return [committed, both];
  };
  await sourceAt(ctx.source, ctx.commits[0], ctx.fleets[0]);
  const publishFirst = await measureOnce(publish, ctx.source);
  // The same folders publish wrote (markers included), as git commits them.
  await sh(`git --git-dir=${bare} archive main | tar -x -C ${plain}`, ctx.dir);
  const [gitFirst, pushFirst] = await commit();
  await sourceAt(ctx.source, ctx.commits[1], ctx.fleets[1]);
  const publishSecond = await measureOnce(publish, ctx.source);
  await copyChanges(ctx.fleets[1], join(plain, 'dist'), ctx.environments, ctx.commits[1]);
  const [gitSecond, pushSecond] = await commit();
  // The first commit is HEAD~1 now: everything reachable from it is what it added.
  const bytes = {
    first: {
      git: await objectBytes(join(plain, '.git'), 'HEAD~1'),
      publish: await objectBytes(bare, 'main~1'),
    },
    second: {
      git: await objectBytes(join(plain, '.git'), 'HEAD ^HEAD~1'),
      publish: await objectBytes(bare, 'main ^main~1'),
    },
  };
  for (const dir of [bare, pushed, plain]) {
    await rm(dir, { recursive: true, force: true });
  }
  return {
    samples: {
      'first|git': gitFirst,
      'first|publish': publishFirst,
      'first|git+push': pushFirst,
      'second|git': gitSecond,
      'second|publish': publishSecond,
      'second|git+push': pushSecond,
    },
    bytes,
  };
}

async function writeMessage(dir: string, message: string): Promise<string> {
  const file = join(dir, 'message.txt');
  await writeFile(file, `${message}\n`);
  return file;
}
