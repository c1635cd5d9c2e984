/**
 * A working copy of the GitOps repository for one `publish`: fetched fresh, so that it starts from what
 * the engine reads; environment folders replaced only where publish wrote them before; one commit; a push
 * that never overwrites another publish's commit.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnvironmentChanges } from './env-changes.js';
import { environmentChanges } from './env-changes.js';
import { applyDifference, folderDifference } from './folder-sync.js';
import { git, GitError } from './git.js';

/** The file publish leaves in every folder it writes: what it may replace next time. */
export const PUBLISH_MARKER = '.cdk8s-devops-publish';

/** How often a push is rebased onto commits of other environments before publish gives up. */
const PUSH_ATTEMPTS = 5;

export class WorkingCopy {
  /** Clones `branch` of `repo` (an empty repository, or one without the branch, starts it). */
  public static async clone(repo: string, branch: string, path: string): Promise<WorkingCopy> {
    const dir = await mkdtemp(join(tmpdir(), 'cdk8s-devops-publish-'));
    const copy = new WorkingCopy(repo, branch, path, dir);
    try {
      await git(['init', '--quiet', `--initial-branch=${branch}`], dir);
      await git(['remote', 'add', 'origin', repo], dir);
      copy.base = await copy.fetch();
      if (copy.base) {
        await git(['reset', '--quiet', '--hard', copy.base], dir);
      }
    } catch (error) {
      await copy.remove();
      throw error;
    }
    return copy;
  }

  /** The commit of the branch this publish started from; undefined for a branch it creates. */
  private base?: string;

  private constructor(
    public readonly repo: string,
    public readonly branch: string,
    /** The folder of the repository that holds the environment folders. */
    public readonly path: string,
    public readonly dir: string,
  ) {}

  /**
   * Makes the environment's folder hold what `source` holds and returns what that changes. A folder that exists
   * without publish's marker is someone else's: it is refused, never replaced.
   */
  public async write(
    environment: string,
    source: string,
    markerContent: string,
  ): Promise<EnvironmentChanges> {
    const target = join(this.dir, this.path, environment);
    const where = `${this.path}/${environment}`;
    if (existsSync(target) && !existsSync(join(target, PUBLISH_MARKER))) {
      throw new Error(
        `${where} in ${this.repo} was not written by cdk8s-devops publish (it has no ${PUBLISH_MARKER}); publish never replaces a folder it did not write. Move it away, or publish into another --path`,
      );
    }
    if (!existsSync(source)) {
      throw new Error(`${source} does not exist: the synth wrote no folder for environment "${environment}"`);
    }
    const difference = await folderDifference(source, target, [PUBLISH_MARKER]);
    const changes = await environmentChanges(environment, target, source, [
      ...difference.written,
      ...difference.removed,
    ]);
    await mkdir(target, { recursive: true });
    await applyDifference(source, target, difference);
    // The marker names the source commit the folder's files came from: rewritten only with them, so a
    // publish from a new source commit commits only the environments whose files changed.
    const marker = join(target, PUBLISH_MARKER);
    if (difference.written.length + difference.removed.length > 0 || !existsSync(marker)) {
      await writeFile(marker, markerContent);
    }
    return changes;
  }

  /** Commits every environment folder written; resolves to false when nothing changed. */
  public async commit(message: string): Promise<boolean> {
    await git(['add', '--all', '--', this.path], this.dir);
    const staged = await git(['diff', '--cached', '--name-only'], this.dir);
    if (staged.trim() === '') {
      return false;
    }
    await git(['commit', '--quiet', '-m', message], this.dir);
    return true;
  }

  /** The commit pushed, short. */
  public async head(): Promise<string> {
    return (await git(['rev-parse', '--short', 'HEAD'], this.dir)).trim();
  }

  /**
   * Pushes the commit. When another publish pushed first, its commits are fetched: if they changed none
   * of `environments`, this commit is rebased onto them and pushed again; if they changed one, publish
   * refuses, naming it, since its own folder was written from an older state of that environment.
   */
  public async push(environments: readonly string[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${this.branch}`], this.dir);
        return;
      } catch (error) {
        const remote = await this.fetch();
        if (!(error instanceof GitError) || remote === undefined || remote === this.base) {
          throw error;
        }
        await this.refuseIfTouched(environments, remote);
        if (attempt === PUSH_ATTEMPTS) {
          throw new Error(
            `${this.repo} ${this.branch} kept moving: ${PUSH_ATTEMPTS} pushes were overtaken by other publishes; publish again`,
          );
        }
        await git(['rebase', '--quiet', remote], this.dir);
        this.base = remote;
      }
    }
  }

  public async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }

  /** Fetches the branch; resolves to its commit, or undefined when the repository lacks it. */
  private async fetch(): Promise<string | undefined> {
    const heads = await git(['ls-remote', '--heads', 'origin', `refs/heads/${this.branch}`], this.dir);
    if (heads.trim() === '') {
      return undefined;
    }
    await git(['fetch', '--quiet', '--no-tags', 'origin', `refs/heads/${this.branch}`], this.dir);
    return (await git(['rev-parse', 'FETCH_HEAD'], this.dir)).trim();
  }

  /** Fails naming the first of `environments` that the commits since the base changed. */
  private async refuseIfTouched(environments: readonly string[], remote: string): Promise<void> {
    for (const environment of environments) {
      const range = this.base ? `${this.base}..${remote}` : remote;
      const commits = await git(
        ['log', '--format=%h %s', range, '--', `${this.path}/${environment}`],
        this.dir,
      );
      const latest = commits.split('\n')[0];
      if (latest) {
        throw new Error(
          `publish refused: environment "${environment}" was published by another commit (${latest}) after this publish fetched ${this.repo}; nothing was pushed. Run publish again to publish on top of it`,
        );
      }
    }
  }
}

/** The marker's text: which environment and source commit the folder holds. */
export function markerText(environment: string, sourceCommit: string): string {
  return `environment: ${environment}\nsource-commit: ${sourceCommit}\n`;
}
