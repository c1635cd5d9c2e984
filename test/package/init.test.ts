import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    stdout: `created ${dir}\nnext: cd Team Payments && npm install && npm run synth\n`,
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
  expect(readFileSync(join(dir, 'cdk8s.yaml'), 'utf8')).toContain('output: .cdk8s/staging');
});

test('init refuses a folder that is not empty, and a name that cannot name namespaces', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'init-'));
  writeFileSync(join(cwd, 'notes.txt'), 'mine');
  expect(await runCollected(['init', '.', '--no-install'], { cwd, env: {} })).toEqual({
    code: 1,
    stdout: '',
    stderr: `error: ${cwd} is not empty: init creates a new repository. Name a new or empty folder\n`,
  });
  expect(readdirSync(cwd)).toEqual(['notes.txt']);
  const bad = await runCollected(['init', 'x', '--name', 'Payments_Team', '--no-install'], { cwd, env: {} });
  expect(bad.stderr).toBe(
    'error: the project name "Payments_Team" must be a DNS-1123 label of at most 40 characters, since it names namespaces and ApplySets. Pass --name <name>\n',
  );
});
