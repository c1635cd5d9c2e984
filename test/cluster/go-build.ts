/**
 * What every component's build shares: the cache they build into, and `go` with the settings every build
 * uses.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const CACHE_ROOT = process.env.CDK8S_DEVOPS_CACHE ?? join(homedir(), '.cache', 'cdk8s-devops');

export type BuildLog = (line: string) => void;

/** Resolves when `go` runs; rejects with the reason otherwise. */
export async function hasGo(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    const { stdout } = await run('go', ['version'], { env });
    return stdout.trim();
  } catch (error) {
    throw new Error(
      `Go is not available to build the control plane (${(error as Error).message.split('\n')[0]})`,
    );
  }
}

export const goEnv = { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };

export async function go(args: string[], cwd: string, env: NodeJS.ProcessEnv = goEnv): Promise<string> {
  try {
    const { stdout } = await run('go', args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`go ${args.join(' ')} failed in ${cwd}:\n${stderr ?? String(error)}`);
  }
}

/** Builds into a scratch folder and renames it into place, so an interrupted build leaves no half result. */
export async function buildIntoDir(target: string, build: (scratch: string) => Promise<void>) {
  const scratch = join(CACHE_ROOT, 'tmp', `${basename(target)}-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(join(scratch, 'out'), { recursive: true });
  try {
    await build(scratch);
    await rm(target, { recursive: true, force: true });
    await mkdir(dirname(target), { recursive: true });
    await rename(join(scratch, 'out'), target);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
