/** The source side of `publish`: the commit it names, a clean tree, and a synth that succeeded. */
import { spawn } from 'node:child_process';
import { git, GitError } from './git.js';

/** The source commit, refusing uncommitted changes unless `allowDirty` (then the commit is marked dirty). */
export async function sourceCommit(cwd: string, allowDirty: boolean): Promise<string> {
  let commit: string;
  try {
    commit = (await git(['rev-parse', 'HEAD'], cwd)).trim();
  } catch (error) {
    throw new Error(
      `${cwd} is not a git clone with a commit (${error instanceof GitError ? error.stderr.trim() : String(error)}): publish names the source commit in every commit it pushes`,
    );
  }
  const changed = (await git(['status', '--porcelain'], cwd)).split('\n').filter((l) => l.trim() !== '');
  if (changed.length === 0) {
    return commit;
  }
  if (!allowDirty) {
    const files = changed.slice(0, 5).map((l) => l.slice(3));
    throw new Error(
      `the source tree ${cwd} has uncommitted changes (${files.join(', ')}${changed.length > 5 ? ', ...' : ''}): what is published must be a commit. Commit them, or pass --allow-dirty`,
    );
  }
  return `${commit}-dirty`;
}

/** Runs the synth command in `cwd`; fails with its exit code and the end of its output. */
export function runSynth(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (output += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        resolve();
        return;
      }
      const tail = output.trim().split('\n').slice(-15).join('\n');
      reject(
        new Error(
          `the synth failed (\`${command}\` exited with code ${code}), so nothing was published:\n${tail}`,
        ),
      );
    });
  });
}
