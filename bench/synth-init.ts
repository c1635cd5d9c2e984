/**
 * `cdk8s synth` in a repository made by `cdk8s-devops init`, as a new team has it: the package packed
 * (`npm pack`) and installed by init into a temporary folder, then the repository's own `cdk8s synth`
 * (cdk8s.yaml's app command) against the same CLI's floor there (an app that writes nothing) and
 * against the template's former command, which ran the app through tsx.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Section } from './measure.js';
import { compare } from './measure.js';
import { CDK8S, cliFloor } from './synth.js';

const exec = promisify(execFile);

export async function benchSynthInit(runs: number, root: string, warmUp = true): Promise<Section> {
  const work = await mkdtemp(join(tmpdir(), 'bench-init-'));
  try {
    const dir = await initRepository(root, work);
    await copyFile(join(root, 'bench', 'empty-app.mjs'), join(dir, 'empty-app.mjs'));
    const rows = await compare(
      [
        cliFloor('empty-app.mjs'),
        {
          name: 'the former template: `node --import tsx main.ts`',
          command: `${CDK8S} --app "node --import tsx main.ts"`,
        },
        { name: '`npm run synth` of the init template (cdk8s.yaml app command)', command: CDK8S },
      ],
      { runs, cwd: dir, warmUp },
    );
    return {
      id: 'synth-init',
      title: '`cdk8s synth` in a repository made by `init`, whole process',
      runs,
      rows,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The repository `init --package <tarball>` makes in `work`, with its dependencies installed. */
async function initRepository(root: string, work: string): Promise<string> {
  // Without npm_* of `npm run bench`, which would point npm at this project.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const options = { env, maxBuffer: 64 * 1024 * 1024 };
  await exec('npm', ['pack', '--pack-destination', work], { ...options, cwd: root });
  const [tarball] = (await readdir(work)).filter((f) => f.endsWith('.tgz'));
  await exec(
    process.execPath,
    [join(root, 'cli', 'cdk8s-devops.mjs'), 'init', 'team', '--package', join(work, tarball)],
    { ...options, cwd: work, env: { ...env, npm_config_prefer_offline: 'true' } },
  );
  return join(work, 'team');
}
