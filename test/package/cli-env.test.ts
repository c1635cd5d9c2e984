import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollected } from '../client/run-cli.js';

/** A project declaring the environments dev and prod, and a kubeconfig that points nowhere. */
function project(): { dir: string; kubeconfig: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-env-'));
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'shop', 'cdk8s-devops': { environments: { dev: {}, prod: {} } } }),
  );
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name: 'u', user: { token: 't' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return { dir, kubeconfig };
}

test('--env with an unknown name fails before anything connects, naming the declared environments', async () => {
  const { dir, kubeconfig } = project();
  const run = await runCollected(['history', '--env', 'qa', '--kubeconfig', kubeconfig], {
    cwd: dir,
    env: {},
  });
  expect(run).toEqual({
    code: 1,
    stdout: '',
    stderr:
      'error: unknown environment "qa": package.json "cdk8s-devops".environments declares "dev", "prod". Use one of them, or add "qa"\n',
  });
});

test('a project with environments needs --env (or paths) to know which folder to use', async () => {
  const { dir, kubeconfig } = project();
  const run = await runCollected(['status', '--kubeconfig', kubeconfig], { cwd: dir, env: {} });
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(
    'error: package.json "cdk8s-devops" declares the environments "dev", "prod": choose one with --env <name>, or name the manifests to use\n',
  );
});

test('--env reads the environment folder dist/<env>', async () => {
  const { dir, kubeconfig } = project();
  const run = await runCollected(['status', '--env', 'prod', '--kubeconfig', kubeconfig], {
    cwd: dir,
    env: {},
  });
  expect(run.stderr).toBe(
    `error: ${join(dir, 'dist', 'prod')} does not exist: run \`npm run synth\` first, or name the manifests to use\n`,
  );
});
