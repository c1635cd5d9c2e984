import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../util/project.js';
import { runCollected } from '../client/run-cli.js';

const own = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8'));

test('init writes a team repository pinned to this version and its peers, with three environments', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  const run = await runCollected(['init', 'Team Payments', '--no-install'], { cwd, env: {} });
  const dir = join(cwd, 'Team Payments');
  expect(run).toEqual({
    code: 0,
    stdout: `created ${dir}\ncdk8s-devops: ^${own.version} (cdk8s-devops@^${own.version} on the registry)\nnext: cd Team Payments && npm install && npm run synth\n`,
    stderr: '',
  });
  expect(readdirSync(dir).sort()).toEqual([
    '.gitignore',
    'README.md',
    'app.ts',
    'cdk8s.yaml',
    'main.test.ts',
    'main.ts',
    'package.json',
    'tsconfig.json',
  ]);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  expect(pkg.name).toBe('team-payments');
  expect(pkg.dependencies).toEqual({
    'cdk8s-devops': `^${own.version}`,
    cdk8s: own.devDependencies.cdk8s,
    'cdk8s-plus-27': own.devDependencies['cdk8s-plus-27'],
    constructs: own.devDependencies.constructs,
  });
  expect(Object.keys(pkg['cdk8s-devops'].environments)).toEqual(['dev', 'staging', 'prod']);
  expect(pkg['cdk8s-devops'].environments.prod.namespace).toBe('team-payments');
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toMatch(/^# team-payments\n/);
  expect(pkg.devDependencies).toEqual({
    '@types/node': own.devDependencies['@types/node'],
    'cdk8s-cli': own.devDependencies['cdk8s-cli'],
    esbuild: own.devDependencies.esbuild,
    tsx: own.devDependencies.tsx,
    typescript: own.devDependencies.typescript,
  });
  const config = readFileSync(join(dir, 'cdk8s.yaml'), 'utf8');
  expect(config).toContain('output: .cdk8s/staging');
  expect(config).toContain('app: node node_modules/cdk8s-devops/cli/run-bundled.mjs main.ts\n');
});

test('init refuses a folder that is not empty, and a name that cannot name namespaces', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  writeFileSync(join(cwd, 'notes.txt'), 'mine');
  expect(await runCollected(['init', '.', '--no-install'], { cwd, env: {} })).toEqual({
    code: 1,
    stdout: '',
    stderr: `error: ${cwd} is not empty: init creates a new repository. Name a new or empty folder (a clone holding only .git is fine)\n`,
  });
  expect(readdirSync(cwd)).toEqual(['notes.txt']);
  const bad = await runCollected(['init', 'x', '--name', 'Payments_Team', '--no-install'], { cwd, env: {} });
  expect(bad.stderr).toBe(
    'error: the project name "Payments_Team" must be a DNS-1123 label of at most 40 characters, since it names namespaces and ApplySets. Pass --name <name>\n',
  );
});

test('init fills a folder that holds only .git, as a freshly cloned empty repository does', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  mkdirSync(join(cwd, 'shop', '.git', 'refs'), { recursive: true });
  writeFileSync(join(cwd, 'shop', '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const run = await runCollected(['init', 'shop', '--no-install'], { cwd, env: {} });
  expect(run.code).toBe(0);
  expect(readdirSync(join(cwd, 'shop'))).toEqual(expect.arrayContaining(['.git', 'app.ts', 'package.json']));
  expect(readFileSync(join(cwd, 'shop', '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
});

describe('init --package pins cdk8s-devops to its source', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  writeFileSync(join(cwd, 'cdk8s-devops-0.1.0.tgz'), '');
  mkdirSync(join(cwd, 'checkout'));
  writeFileSync(join(cwd, 'checkout', 'package.json'), '{"name":"cdk8s-devops"}');
  test.each([
    ['cdk8s-devops-0.1.0.tgz', 'file:../cdk8s-devops-0.1.0.tgz', 'the tarball cdk8s-devops-0.1.0.tgz'],
    ['./checkout', 'file:../checkout', 'the folder ./checkout'],
    ['cdk8s-devops@0.1.0', '0.1.0', 'cdk8s-devops@0.1.0 on the registry'],
    [
      '@acme/cdk8s-devops@^1.2.0',
      'npm:@acme/cdk8s-devops@^1.2.0',
      '@acme/cdk8s-devops@^1.2.0 on the registry',
    ],
  ])('%s', async (source, dependency, description) => {
    const dir = `repo-${readdirSync(cwd).length}`;
    const run = await runCollected(['init', dir, '--package', source, '--no-install'], { cwd, env: {} });
    expect(run.stdout).toContain(`cdk8s-devops: ${dependency} (${description})\n`);
    expect(
      JSON.parse(readFileSync(join(cwd, dir, 'package.json'), 'utf8')).dependencies['cdk8s-devops'],
    ).toBe(dependency);
  });

  test.each([
    [
      './missing.tgz',
      `error: --package ./missing.tgz: there is no such file or folder, and it is no registry spec. Name a tarball made by npm pack, the package's folder, or a spec such as cdk8s-devops@${own.version}\n`,
    ],
    [
      '.',
      `error: --package .: the folder ${cwd} holds no package.json of cdk8s-devops. Name the package's folder, a tarball made by npm pack, or a registry spec\n`,
    ],
  ])('refuses %s', async (source, stderr) => {
    expect(
      await runCollected(['init', 'refused', '--package', source, '--no-install'], { cwd, env: {} }),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr,
    });
  });
});

test("init's npm install that meets E404 for the package says how to pin it to where it is", async () => {
  // A private registry for the @acme scope that has nothing yet; the rest comes from the usual registry.
  const registry = createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Not found"}');
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  try {
    const cwd = mkdtempSync(join(tmpdir(), 'init-'));
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key))),
      'npm_config_@acme:registry': `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`,
      npm_config_prefer_offline: 'true',
    };
    const spec = '@acme/cdk8s-devops@1.0.0';
    const run = await runCollected(['init', 'shop', '--package', spec], { cwd, env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `error: npm install failed in ${join(cwd, 'shop')}: the registry has no ${spec} (E404). cdk8s-devops was pinned to npm:${spec} (${spec} on the registry); if the registry does not have it, pin it to where it is: run init again in an empty folder with --package <tarball made by npm pack, package folder or registry spec>, or set "cdk8s-devops" in ${join(cwd, 'shop', 'package.json')} to "file:<path to the tarball>" and run npm install there\n`,
    );
  } finally {
    registry.close();
  }
}, 180_000);
