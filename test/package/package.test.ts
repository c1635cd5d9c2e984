/**
 * The package as users get it: `npm pack`, then the tarball installed into (a) a repository made by
 * `cdk8s-devops init` (ES modules, tsx) and (b) the CommonJS project of cdk8s-cli's typescript-app
 * template (ts-node), each in a temporary folder, with their synth, type-check and tests.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { PROJECT_ROOT } from '../util/project.js';

const exec = promisify(execFile);
const MINUTES = 60_000;

/** npm's environment without what `npm test` sets for this project (npm_package_*, npm_config_*). */
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

function run(command: string, args: readonly string[], cwd: string) {
  return exec(command, args, { cwd, env: cleanEnv, maxBuffer: 64 * 1024 * 1024 });
}

function npmInstall(cwd: string, tarball: string) {
  return run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], cwd);
}

function objectsIn(file: string): { kind: string; metadata: any; spec?: any }[] {
  return YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((doc) => doc.toJS());
}

const work = mkdtempSync(join(tmpdir(), 'cdk8s-devops-package-'));
let tarball: string;
let files: string[];

beforeAll(async () => {
  await run('npm', ['pack', '--pack-destination', work], PROJECT_ROOT);
  const [name] = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  tarball = join(work, name);
  files = (await run('tar', ['tzf', tarball], work)).stdout
    .split('\n')
    .filter((f) => f !== '')
    .map((f) => f.replace(/^package\//, ''));
}, 5 * MINUTES);

test('the tarball holds compiled JavaScript with typings and source maps, the bundled CLI and the init template, and no sources or tests', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'build/lib/index.js',
      'build/lib/index.d.ts',
      'build/lib/index.js.map',
      'build/charts/service-chart.js',
      'build/charts/service-chart.d.ts',
      'build/client/index.js',
      'build/client/index.d.ts',
      'build/cli.mjs',
      'cli/cdk8s-devops.mjs',
      'templates/init/main.ts',
      'templates/init/gitignore',
    ]),
  );
  const sources = files.filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('templates/'),
  );
  expect(sources).toEqual([]);
  expect(files.filter((f) => /^(test|bench|dist|scripts|node_modules)\//.test(f))).toEqual([]);
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));
  expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs']);
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const path = typeof target === 'string' ? target : (target as { default: string }).default;
    expect({ entry, packed: files.includes(path.replace(/^\.\//, '')) }).toEqual({ entry, packed: true });
  }
});

describe("cdk8s-cli's typescript-app template (CommonJS, ts-node)", () => {
  const dir = join(work, 'typescript-app');

  beforeAll(async () => {
    cpSync(join(PROJECT_ROOT, 'test/package/fixtures/typescript-app'), dir, { recursive: true });
    await npmInstall(dir, tarball);
  }, 5 * MINUTES);

  test(
    'type-checks with its own settings (no skipLibCheck) against the typings',
    async () => {
      await expect(
        run(join(dir, 'node_modules/.bin/tsc'), ['--noEmit', '-p', '.'], dir),
      ).resolves.toMatchObject({
        stdout: '',
      });
    },
    2 * MINUTES,
  );

  test(
    'synthesizes with ts-node, its constructs sharing the project’s cdk8s',
    async () => {
      await run(join(dir, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], dir);
      const objects = objectsIn(join(dir, 'dist/typescript-app.k8s.yaml'));
      const deployment = objects.find((o) => o.kind === 'Deployment');
      expect(deployment?.spec.template.spec.containers[0].image).toBe('ghcr.io/acme/web:1.0.0');
      expect(deployment?.spec.strategy.rollingUpdate).toEqual({ maxSurge: 0, maxUnavailable: 1 });
      expect(objects.find((o) => o.kind === 'ConfigMap')?.metadata.name).toMatch(/^typescript-app-settings-/);
    },
    2 * MINUTES,
  );

  test('require() loads the library and the client API', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '-e',
        "const lib = require('cdk8s-devops'); const client = require('cdk8s-devops/client');" +
          'console.log(typeof lib.WebService, typeof lib.Environments, typeof client.loadManifests)',
      ],
      dir,
    );
    expect(stdout).toBe('function function function\n');
  });

  test('the installed CLI runs as shipped: --help builds nothing', async () => {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(dir, 'node_modules/.bin/cdk8s-devops'), '--help'],
      dir,
    );
    expect(stderr).toBe('');
    expect(stdout).toContain('Usage: cdk8s-devops');
    expect(stdout).toContain('init [options] <dir>');
    expect(existsSync(join(dir, 'node_modules/.cache/cdk8s-devops'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules/esbuild'))).toBe(false);
  });
});

describe('a repository made by `cdk8s-devops init` (ES modules, tsx)', () => {
  const dir = join(work, 'payments');

  beforeAll(async () => {
    const fixtureCli = join(work, 'typescript-app/node_modules/.bin/cdk8s-devops');
    const { stdout } = await run(process.execPath, [fixtureCli, 'init', 'payments', '--no-install'], work);
    expect(stdout).toBe(`created ${dir}\nnext: cd payments && npm install && npm run synth\n`);
    await npmInstall(dir, tarball);
  }, 5 * MINUTES);

  test('has the files init promises', () => {
    expect(readdirSync(dir).sort()).toEqual(
      expect.arrayContaining([
        '.gitignore',
        'README.md',
        'app.ts',
        'cdk8s.yaml',
        'main.test.ts',
        'main.ts',
        'package.json',
        'tsconfig.json',
      ]),
    );
  });

  test(
    'synthesizes every environment on its first run, with GitOps objects',
    async () => {
      await run('npm', ['run', 'synth'], dir);
      expect(readdirSync(join(dir, 'dist')).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
      expect(readdirSync(join(dir, 'dist/prod')).sort()).toEqual([
        'kustomization.yaml',
        'platform.k8s.yaml',
        'web.k8s.yaml',
      ]);
      const prod = objectsIn(join(dir, 'dist/prod/web.k8s.yaml'));
      expect(prod.find((o) => o.kind === 'Deployment')?.spec.template.spec.containers[0].image).toBe(
        'ghcr.io/acme/web:1.0.0',
      );
      expect(prod.find((o) => o.kind === 'Rollout')?.spec.strategy.canary).toBeDefined();
      const dev = objectsIn(join(dir, 'dist/dev/web.k8s.yaml'));
      expect(dev.find((o) => o.kind === 'Deployment')?.spec).toMatchObject({
        replicas: 1,
        strategy: { type: 'Recreate' },
      });
      expect(objectsIn(join(dir, 'dist/prod/platform.k8s.yaml')).map((o) => o.kind)).toContain(
        'ResourceQuota',
      );
      expect(objectsIn(join(dir, 'dist/gitops/argo-cd.k8s.yaml')).map((o) => o.metadata.name)).toEqual([
        'payments-dev',
        'payments-staging',
        'payments-prod',
      ]);
    },
    2 * MINUTES,
  );

  test(
    'type-checks, and its own test passes',
    async () => {
      await run('npm', ['run', 'typecheck'], dir);
      const { stdout } = await run('npm', ['test'], dir);
      expect(stdout).toMatch(/# pass 1\n# fail 0/);
    },
    2 * MINUTES,
  );

  test('import loads the client API', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const c = await import('cdk8s-devops/client'); console.log(typeof c.loadManifests)",
      ],
      dir,
    );
    expect(stdout).toBe('function\n');
  });
});
