/** Runs git for `publish`, failing with the command and git's own message. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What git needs to commit in a working copy where no identity is configured (CI, a fresh machine). */
const IDENTITY = {
  GIT_AUTHOR_NAME: 'cdk8s-devops publish',
  GIT_AUTHOR_EMAIL: 'publish@cdk8s-devops.invalid',
  GIT_COMMITTER_NAME: 'cdk8s-devops publish',
  GIT_COMMITTER_EMAIL: 'publish@cdk8s-devops.invalid',
};

export class GitError extends Error {
  public constructor(
    public readonly args: readonly string[],
    public readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed: ${stderr.trim()}`);
  }
}

/** `git <args>` in `cwd`; resolves to its stdout. The user's identity wins over publish's own. */
export async function git(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  try {
    const { stdout } = await run('git', [...args], {
      cwd,
      env: { ...IDENTITY, ...process.env, ...env, GIT_TERMINAL_PROMPT: '0' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new GitError(args, stderr ?? (error as Error).message);
  }
}
