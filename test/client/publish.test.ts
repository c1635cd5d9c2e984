/**
 * `publish` against a real git server (git http-backend on loopback, as the harness runs it): the commit
 * it pushes, what it shows per environment, what it refuses, and two publishes at once.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createRepository, startGitServer } from '../cluster/git-server.js';
import { runCollected } from './run-cli.js';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};
const gitIn = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();
/** git talking to the server, which runs in this process: never synchronously, or it would wait on itself. */
const gitRemote = async (cwd: string, ...args: string[]) =>
  (await promisify(execFile)('git', args, { cwd, env: { ...process.env, ...IDENTITY } })).stdout.trim();

let root: string;
let server: { port: number; close: () => void };
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'publish-'));
  server = await startGitServer(join(root, 'repositories'));
});
afterAll(async () => {
  server.close();
  await rm(root, { recursive: true, force: true });
});

let count = 0;
/** A new GitOps repository on the server, and its URL. */
async function newRepository(): Promise<{ url: string; bare: string }> {
  const name = `gitops-${++count}.git`;
  const bare = await createRepository(join(root, 'repositories'), name);
  return { url: `http://127.0.0.1:${server.port}/${name}`, bare };
}

const configMap = (name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: shop\ndata:\n${Object.entries(
    data,
  )
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;

/** A source project in git with environments staging and prod, and its synthesized folders. */
async function sourceProject(folders: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, 'source-'));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'shop', 'cdk8s-devops': { environments: { staging: {}, prod: {} } } }),
  );
  await writeFile(join(dir, '.gitignore'), 'dist/\n');
  gitIn(dir, 'init', '--quiet', '--initial-branch=main');
  gitIn(dir, 'add', '.');
  gitIn(dir, 'commit', '--quiet', '-m', 'source');
  await writeDist(dir, folders);
  return dir;
}

async function writeDist(dir: string, folders: Record<string, string>): Promise<void> {
  for (const [env, yaml] of Object.entries(folders)) {
    await rm(join(dir, 'dist', env), { recursive: true, force: true });
    await mkdir(join(dir, 'dist', env), { recursive: true });
    await writeFile(join(dir, 'dist', env, 'app.k8s.yaml'), yaml);
  }
}

const publish = (cwd: string, url: string, ...args: string[]) =>
  runCollected(['publish', '--repo', url, '--no-synth', ...args], { cwd, env: { ...process.env } });

/** A clone of the GitOps repository as it is now. */
async function cloneOf(url: string): Promise<string> {
  const dir = await mkdtemp(join(root, 'clone-'));
  await gitRemote(dir, 'clone', '--quiet', url, '.');
  return dir;
}

describe('publish', () => {
  test('pushes one commit naming the source commit and the environments changed, showing each change', async () => {
    const { url } = await newRepository();
    const source = await sourceProject({
      staging: configMap('web', { version: '2' }) + '---\n' + configMap('api', { version: '2' }),
      prod: configMap('web', { version: '1' }),
    });
    const first = await publish(source, url);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      'staging: 2 added, 0 changed, 0 removed\n  + ConfigMap/shop/api\n  + ConfigMap/shop/web\n',
    );
    const sourceCommit = gitIn(source, 'rev-parse', 'HEAD');
    let clone = await cloneOf(url);
    expect(gitIn(clone, 'log', '--format=%B')).toBe(
      `publish staging, prod from ${sourceCommit.slice(0, 7)}\n\nSource-Commit: ${sourceCommit}\nEnvironments: staging, prod`,
    );
    expect(await readFile(join(clone, 'dist', 'prod', 'app.k8s.yaml'), 'utf8')).toBe(
      configMap('web', { version: '1' }),
    );

    await writeDist(source, {
      staging: configMap('web', { version: '3' }),
      prod: configMap('web', { version: '1' }),
    });
    const second = await publish(source, url);
    expect(second.stdout).toContain(
      'staging: 0 added, 1 changed, 1 removed\n  ~ ConfigMap/shop/web\n  - ConfigMap/shop/api\nprod: no changes\n',
    );
    clone = await cloneOf(url);
    expect(gitIn(clone, 'log', '-1', '--format=%s')).toBe(`publish staging from ${sourceCommit.slice(0, 7)}`);
    expect(gitIn(clone, 'rev-list', '--count', 'HEAD')).toBe('2');

    const third = await publish(source, url);
    expect(third.stdout).toContain(`nothing to publish: dist/ in ${url} already holds these folders`);
    expect(gitIn(await cloneOf(url), 'rev-list', '--count', 'HEAD')).toBe('2');
  });

  test('from a new source commit, commits only the files that changed and the marker of their environment', async () => {
    const { url } = await newRepository();
    const files = (staging: string) => ({
      staging: configMap('web', { version: staging }),
      prod: configMap('web', { version: '1' }),
    });
    const source = await sourceProject(files('1'));
    await writeFile(join(source, 'dist', 'staging', 'api.k8s.yaml'), configMap('api', { version: '1' }));
    expect(await publish(source, url)).toMatchObject({ code: 0 });
    const first = gitIn(source, 'rev-parse', 'HEAD');
    const newSourceCommit = async (text: string) => {
      await writeFile(join(source, 'README.md'), text);
      gitIn(source, 'add', 'README.md');
      gitIn(source, 'commit', '--quiet', '-m', text);
      return gitIn(source, 'rev-parse', 'HEAD');
    };

    // The same folders from another source commit: nothing to publish, every marker as it was.
    await newSourceCommit('docs');
    const same = await publish(source, url);
    expect(same.stdout).toContain(`nothing to publish: dist/ in ${url} already holds these folders`);

    // One file of staging changed: the commit holds it and staging's marker, nothing of prod.
    const changed = await newSourceCommit('staging 2');
    await writeDist(source, files('2'));
    await writeFile(join(source, 'dist', 'staging', 'api.k8s.yaml'), configMap('api', { version: '1' }));
    const second = await publish(source, url);
    expect(second.stdout).toContain(
      'staging: 0 added, 1 changed, 0 removed\n  ~ ConfigMap/shop/web\nprod: no changes\n',
    );
    const clone = await cloneOf(url);
    expect(gitIn(clone, 'show', '--name-only', '--format=', 'HEAD').split('\n')).toEqual([
      'dist/staging/.cdk8s-devops-publish',
      'dist/staging/app.k8s.yaml',
    ]);
    expect(await readFile(join(clone, 'dist', 'staging', '.cdk8s-devops-publish'), 'utf8')).toBe(
      `environment: staging\nsource-commit: ${changed}\n`,
    );
    expect(await readFile(join(clone, 'dist', 'prod', '.cdk8s-devops-publish'), 'utf8')).toBe(
      `environment: prod\nsource-commit: ${first}\n`,
    );

    // An object moved to another file is the same object; a file that left takes its objects along.
    await newSourceCommit('staging 3');
    await writeDist(source, {
      staging: configMap('web', { version: '2' }) + '---\n' + configMap('api', { version: '1' }),
    });
    const moved = await publish(source, url, '--env', 'staging');
    expect(moved.stdout).toContain('staging: no changes\n');
    await newSourceCommit('staging 4');
    await writeDist(source, { staging: configMap('web', { version: '2' }) });
    const removed = await publish(source, url, '--env', 'staging');
    expect(removed.stdout).toContain('staging: 0 added, 0 changed, 1 removed\n  - ConfigMap/shop/api\n');
  });

  test('--dry-run pushes nothing and exits like diff: 1 with changes, 0 without, 2 on an error', async () => {
    const { url } = await newRepository();
    const source = await sourceProject({
      staging: configMap('web', { v: '1' }),
      prod: configMap('web', { v: '1' }),
    });
    const dry = await publish(source, url, '--dry-run', '--env', 'staging');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toBe('staging: 1 added, 0 changed, 0 removed\n  + ConfigMap/shop/web\n');
    expect(gitIn(await cloneOf(url), 'branch', '--list')).toBe('');

    expect((await publish(source, url)).code).toBe(0);
    const none = await publish(source, url, '--dry-run');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('staging: no changes\nprod: no changes\n');

    const error = await publish(source, url, '--dry-run', '--env', 'qa');
    expect(error.code).toBe(2);
    expect(error.stderr).toContain('unknown environment "qa"');
  });

  test('refuses after a failed synth, and from a source tree with uncommitted changes unless told', async () => {
    const { url } = await newRepository();
    const source = await sourceProject({
      staging: configMap('web', { v: '1' }),
      prod: configMap('web', { v: '1' }),
    });
    const failed = await runCollected(
      ['publish', '--repo', url, '--synth', 'echo "Error: policy check failed" >&2; exit 3'],
      { cwd: source, env: { ...process.env } },
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      'error: the synth failed (`echo "Error: policy check failed" >&2; exit 3` exited with code 3), so nothing was published:\nError: policy check failed\n',
    );
    await writeFile(join(source, 'README.md'), 'changed\n');
    const dirty = await publish(source, url);
    expect(dirty.code).toBe(1);
    expect(dirty.stderr).toBe(
      `error: the source tree ${source} has uncommitted changes (README.md): what is published must be a commit. Commit them, or pass --allow-dirty\n`,
    );
    expect(gitIn(await cloneOf(url), 'branch', '--list')).toBe('');

    const allowed = await publish(source, url, '--allow-dirty');
    expect(allowed.code).toBe(0);
    const commit = gitIn(source, 'rev-parse', 'HEAD');
    expect(gitIn(await cloneOf(url), 'log', '-1', '--format=%(trailers:key=Source-Commit,valueonly)')).toBe(
      `${commit}-dirty`,
    );
  });

  test('never replaces or deletes a folder it did not write', async () => {
    const { url } = await newRepository();
    const seed = await cloneOf(url);
    await mkdir(join(seed, 'dist', 'prod'), { recursive: true });
    await mkdir(join(seed, 'dist', 'other'), { recursive: true });
    await writeFile(join(seed, 'dist', 'prod', 'hand.yaml'), configMap('hand', { a: '1' }));
    await writeFile(join(seed, 'dist', 'other', 'x.yaml'), configMap('x', { a: '1' }));
    gitIn(seed, 'add', '.');
    gitIn(seed, 'commit', '--quiet', '-m', 'by hand');
    await gitRemote(seed, 'push', '--quiet', 'origin', 'HEAD:main');
    const source = await sourceProject({
      staging: configMap('web', { v: '1' }),
      prod: configMap('web', { v: '1' }),
    });

    const refused = await publish(source, url);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `error: dist/prod in ${url} was not written by cdk8s-devops publish (it has no .cdk8s-devops-publish); publish never replaces a folder it did not write. Move it away, or publish into another --path\n`,
    );
    expect(await publish(source, url, '--env', 'staging')).toMatchObject({ code: 0 });
    const clone = await cloneOf(url);
    expect(existsSync(join(clone, 'dist', 'other', 'x.yaml'))).toBe(true);
    expect(existsSync(join(clone, 'dist', 'prod', 'hand.yaml'))).toBe(true);
    expect(existsSync(join(clone, 'dist', 'staging', 'app.k8s.yaml'))).toBe(true);
  });

  describe('two at once', () => {
    /** A repository whose pushes wait a while on the server, so that two publishes overlap for sure. */
    async function slowRepository() {
      const repository = await newRepository();
      const source = await sourceProject({
        staging: configMap('web', { v: '0' }),
        prod: configMap('web', { v: '0' }),
      });
      expect(await publish(source, repository.url)).toMatchObject({ code: 0 });
      const hook = join(repository.bare, 'hooks', 'pre-receive');
      await writeFile(hook, '#!/bin/sh\ncat >/dev/null\nsleep 2\n');
      await chmod(hook, 0o755);
      return repository;
    }

    test('to different environments: the later push is rebased and both commits land', async () => {
      const { url } = await slowRepository();
      const one = await sourceProject({ staging: configMap('web', { v: '1' }) });
      const two = await sourceProject({ prod: configMap('web', { v: '2' }) });
      const [a, b] = await Promise.all([
        publish(one, url, '--env', 'staging'),
        publish(two, url, '--env', 'prod'),
      ]);
      expect([a.stderr, b.stderr]).toEqual(['', '']);
      expect([a.code, b.code]).toEqual([0, 0]);
      const clone = await cloneOf(url);
      expect(gitIn(clone, 'log', '--format=%s', '-2').split('\n').sort()).toEqual([
        `publish prod from ${gitIn(two, 'rev-parse', '--short=7', 'HEAD')}`,
        `publish staging from ${gitIn(one, 'rev-parse', '--short=7', 'HEAD')}`,
      ]);
      expect(await readFile(join(clone, 'dist', 'staging', 'app.k8s.yaml'), 'utf8')).toContain('v: "1"');
      expect(await readFile(join(clone, 'dist', 'prod', 'app.k8s.yaml'), 'utf8')).toContain('v: "2"');
    });

    test('to the same environment: the second is refused naming it, and nothing is lost', async () => {
      const { url } = await slowRepository();
      const one = await sourceProject({ staging: configMap('web', { v: '1' }) });
      const two = await sourceProject({ staging: configMap('web', { v: '2' }) });
      const results = await Promise.all([
        publish(one, url, '--env', 'staging'),
        publish(two, url, '--env', 'staging'),
      ]);
      const refused = results.find((r) => r.code !== 0)!;
      const landed = results.find((r) => r.code === 0)!;
      expect(landed).toBeDefined();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^error: publish refused: environment "staging" was published by another commit \\([0-9a-f]{7} publish staging from [0-9a-f]{7}\\) after this publish fetched ${url}; nothing was pushed. Run publish again to publish on top of it\\n$`,
        ),
      );
      const clone = await cloneOf(url);
      expect(gitIn(clone, 'rev-list', '--count', 'HEAD')).toBe('2');
      const winner = results.indexOf(landed) === 0 ? '1' : '2';
      expect(await readFile(join(clone, 'dist', 'staging', 'app.k8s.yaml'), 'utf8')).toContain(
        `v: "${winner}"`,
      );
    });
  });
});
