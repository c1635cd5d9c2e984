import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './util/project.js';

const run = promisify(execFile);

/** A project folder that runs `app` with this project's cdk8s.yaml settings and node_modules. */
function projectWith(app: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'synth-command-'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  copyFileSync(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json')); // declares the environments
  const config = readFileSync(join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8').replace(/^app: .*$/m, `app: ${app}`);
  writeFileSync(join(dir, 'cdk8s.yaml'), config);
  return dir;
}

function cdk8sSynth(cwd: string) {
  return run(join(PROJECT_ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], { cwd });
}

test('`cdk8s synth` of the default app writes dist/<env>/, and a failing synth leaves it untouched', async () => {
  const dir = projectWith(`node --import tsx ${join(PROJECT_ROOT, 'main.ts')}`);
  await cdk8sSynth(dir);
  const dist = join(dir, 'dist');
  expect(readdirSync(dist).sort()).toEqual(['ci', 'dev', 'gitops', 'prod', 'staging']);
  expect(readdirSync(join(dist, 'prod')).sort()).toEqual(['kustomization.yaml', 'shop.k8s.yaml']);
  expect(readdirSync(join(dist, 'ci')).sort()).toEqual(['kustomization.yaml', 'shop-release.k8s.yaml']);
  const published = readFileSync(join(dist, 'prod', 'shop.k8s.yaml'), 'utf8');

  writeFileSync(
    join(dir, 'failing.ts'),
    [
      `import { Chart } from 'cdk8s';`,
      `import { DevOpsApp } from '${join(PROJECT_ROOT, 'lib/devops-app.ts')}';`,
      `const app = new DevOpsApp();`,
      `new Chart(app, 'half-done');`,
      `throw new Error('a construct failed half-way');`,
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'cdk8s.yaml'),
    readFileSync(join(dir, 'cdk8s.yaml'), 'utf8').replace(/^app: .*$/m, 'app: node --import tsx failing.ts'),
  );
  await expect(cdk8sSynth(dir)).rejects.toMatchObject({
    stderr: expect.stringContaining('a construct failed half-way'),
  });
  expect(readdirSync(dist).sort()).toEqual(['ci', 'dev', 'gitops', 'prod', 'staging']);
  expect(readFileSync(join(dist, 'prod', 'shop.k8s.yaml'), 'utf8')).toBe(published);
}, 60_000);
