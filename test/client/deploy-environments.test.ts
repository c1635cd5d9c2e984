/**
 * `deploy` of several environments without a cluster: the flags it refuses before synthesizing, the
 * cluster each environment names (package.json "context", "kubeconfig"), and two failing at once, each on
 * lines of its own, with the worst exit code. test/integration/client-deploy-environments.test.ts deploys
 * to two real control planes.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { labelledIo } from '../../cli/labelled-io.js';
import type { CliIo } from '../../cli/io.js';
import { readProjectConfig, resolveEnvironment } from '../../lib/gitops/project-config.js';
import { runCollected } from './run-cli.js';

let dir: string;
const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: 'https://127.0.0.1:1' } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: one, context: { cluster: c, user: u } }]
current-context: one
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deploy-envs-'));
  await writeFile(join(dir, 'kubeconfig'), KUBECONFIG);
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'shop',
      'cdk8s-devops': {
        environments: {
          staging: { kubeconfig: 'missing.kubeconfig' },
          prod: { kubeconfig: 'kubeconfig', context: 'prod-cluster' },
          dev: {},
        },
      },
    }),
  );
});

const deploy = (...args: string[]) =>
  runCollected(['deploy', '--no-synth', ...args], { cwd: dir, env: { HOME: dir } });

describe('deploy --env, repeated', () => {
  test.each([
    [['--env', 'prod', '--env', 'prod', '--yes'], '--env prod is given twice: name each environment once'],
    [
      ['--env', 'staging', '--env', 'qa', '--yes'],
      'unknown environment "qa": package.json "cdk8s-devops".environments declares "staging", "prod", "dev". Use one of them, or add "qa"',
    ],
    [
      ['--env', 'staging', '--env', 'prod', '--context', 'one', '--yes'],
      '--context names one cluster, but --env staging --env prod deploys 2 environments: set "context" in package.json "cdk8s-devops".environments.<name> for each, or deploy one --env at a time',
    ],
    [
      ['-e', 'staging', '-e', 'prod', '--applyset', 'shop', '--yes'],
      '--applyset names one release, but --env staging --env prod deploys 2 environments: set "applySet" in package.json "cdk8s-devops".environments.<name> for each, or deploy one --env at a time',
    ],
    [
      ['-e', 'staging', '-e', 'prod', '-n', 'shop', '--yes'],
      '--namespace names one release, but --env staging --env prod deploys 2 environments: set "namespace" in package.json "cdk8s-devops".environments.<name> for each, or deploy one --env at a time',
    ],
    [
      ['-e', 'staging', '-e', 'prod', 'dist/staging', '--yes'],
      "manifest paths name one app, but --env staging --env prod deploys each environment's own folder dist/<name>: drop the paths, or deploy one --env at a time",
    ],
    [
      ['-e', 'staging', '-e', 'prod', '-o', 'json', '--yes'],
      '-o json prints one release: deploy one --env at a time, or drop -o json',
    ],
    [
      ['-e', 'staging', '-e', 'prod'],
      'nothing applied: --env staging --env prod deploys 2 environments at once, with no one to confirm each; pass --yes (or --dry-run to see their change sets)',
    ],
  ])('%j is refused before anything runs', async (args, message) => {
    const run = await deploy(...args);
    expect(run.stderr).toBe(`error: ${message}\n`);
    expect(run.stdout).toBe('');
    expect(run.code).toBe(1);
  });

  test('one environment reaches its own cluster: its kubeconfig (relative to the project) and context', async () => {
    await writeFile(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
    const staging = await deploy('--env', 'staging', 'app.yaml', '--yes');
    expect(staging.stderr).toBe(
      `error: the kubeconfig ${join(dir, 'missing.kubeconfig')} does not exist: pass --kubeconfig with the right path\n`,
    );
    const prod = await deploy('--env', 'prod', 'app.yaml', '--yes');
    expect(prod.stderr).toBe('error: the kubeconfig has no context "prod-cluster" (contexts: one)\n');
    // The flags win over the environment's own.
    const flagged = await deploy('--env', 'prod', 'app.yaml', '--yes', '--kubeconfig', join(dir, 'nope'));
    expect(flagged.stderr).toContain(`the kubeconfig ${join(dir, 'nope')} does not exist`);
  });

  test('both failing: each on its own labelled lines, the summary names them, exit 1', async () => {
    for (const env of ['staging', 'prod']) {
      await mkdir(join(dir, 'dist', env), { recursive: true });
      await writeFile(
        join(dir, 'dist', env, 'app.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      );
    }
    const run = await deploy('--env', 'staging', '--env', 'prod', '--yes');
    const lines = run.stderr.split('\n');
    expect(lines).toContain(
      `[staging] error: the kubeconfig ${join(dir, 'missing.kubeconfig')} does not exist: pass --kubeconfig with the right path`,
    );
    expect(lines).toContain('[prod] error: the kubeconfig has no context "prod-cluster" (contexts: one)');
    expect(run.stdout).toBe(
      '2 of 2 environments failed (staging, prod); each ran to its own end:\n  staging: failed (exit 1)\n  prod: failed (exit 1)\n',
    );
    expect(run.code).toBe(1);
  });
});

describe("an environment's cluster in package.json", () => {
  test('context and kubeconfig are non-empty strings', async () => {
    const project = await mkdtemp(join(tmpdir(), 'deploy-envs-config-'));
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ 'cdk8s-devops': { environments: { prod: { context: 3 }, dev: { kubeconfig: '' } } } }),
    );
    const loaded = readProjectConfig(project);
    expect(() => resolveEnvironment(loaded, 'prod')).toThrow(
      'package.json "cdk8s-devops".environments.prod.context: 3 is not a kubeconfig context name; set a non-empty string or remove it',
    );
    expect(() => resolveEnvironment(loaded, 'dev')).toThrow(
      'package.json "cdk8s-devops".environments.dev.kubeconfig: "" is not a kubeconfig path; set a non-empty string or remove it',
    );
  });
});

describe('labelled lines', () => {
  test('each whole line carries the label; an unfinished one is written on flush', () => {
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const io = labelledIo({ stdout: out, stderr: out } as unknown as CliIo, 'prod');
    io.stdout.write('applied 2 ');
    io.stdout.write('objects\n\nrecorded');
    expect(chunks.join('')).toBe('[prod] applied 2 objects\n[prod]\n');
    io.flush();
    expect(chunks.join('')).toBe('[prod] applied 2 objects\n[prod]\n[prod] recorded\n');
  });
});
