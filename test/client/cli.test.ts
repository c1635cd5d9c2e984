/** The CLI without a cluster: arguments, kubeconfig errors, an unreachable server, and output formats. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createProgress } from '../../cli/progress.js';
import type { CliIo } from '../../cli/io.js';
import { defaultSource } from '../../cli/environment.js';
import { releaseIdentity } from '../../cli/options.js';
import { runCollected } from './run-cli.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return runCollected(args, { cwd: dir, env: { HOME: dir, ...env } });
}

let dir: string;
let manifests: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-'));
  manifests = join(dir, 'app.yaml');
  await writeFile(manifests, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'shop' }));
});

describe('the ApplySet a command acts on', () => {
  const project = async (pkg?: object) => {
    const root = await mkdtemp(join(tmpdir(), 'cli-project-'));
    if (pkg) {
      await writeFile(join(root, 'package.json'), JSON.stringify(pkg));
    }
    return root;
  };
  const identity = (cwd: string, flags: { applyset?: string; namespace?: string; env?: string } = {}) =>
    releaseIdentity({ cwd } as CliIo, flags);

  test('comes from the cdk8s-devops key of package.json, else the package name, never the folder', async () => {
    const keyed = await project({
      name: '@acme/shop-app',
      'cdk8s-devops': { applySet: 'shop', namespace: 'prod' },
    });
    expect(identity(keyed)).toEqual({
      name: 'shop',
      namespace: 'prod',
      source: `${join(keyed, 'package.json')} "cdk8s-devops.applySet"`,
    });
    const named = await project({ name: '@acme/Shop_App' });
    expect(identity(named)).toEqual({ name: 'shop-app', source: `${join(named, 'package.json')} "name"` });
  });

  test('an environment is named after the package as the project is, from one read of package.json', async () => {
    const named = await project({ name: '@acme/Shop_App', 'cdk8s-devops': { environments: { prod: {} } } });
    expect(identity(named, { env: 'prod' })).toEqual({
      name: 'shop-app-prod',
      source: `${join(named, 'package.json')} "cdk8s-devops.environments.prod"`,
    });
  });

  test('a command reads package.json once: its ApplySet and its folder come from the same read', async () => {
    const root = await project({
      name: 'shop',
      'cdk8s-devops': { environments: { prod: { namespace: 'shop' } } },
    });
    const io = { cwd: root } as CliIo;
    expect(releaseIdentity(io, { env: 'prod' }).name).toBe('shop-prod');
    // Changed under the running command: what the command already read stands.
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'shop' }));
    expect(defaultSource(io, { env: 'prod' })).toBe('dist/prod');
    expect(() => defaultSource(io, {})).toThrow(
      'package.json "cdk8s-devops" declares the environments "prod": choose one with --env <name>, or name the manifests to use',
    );
    // The next command reads it anew.
    expect(() => releaseIdentity({ cwd: root } as CliIo, { env: 'prod' })).toThrow(
      'unknown environment "prod"',
    );
  });

  test('flags override package.json', async () => {
    const keyed = await project({ name: 'x', 'cdk8s-devops': { applySet: 'shop', namespace: 'prod' } });
    expect(identity(keyed, { applyset: 'other', namespace: 'dev' })).toEqual({
      name: 'other',
      namespace: 'dev',
      source: '--applyset',
    });
  });

  test("--applyset beside --env says which of the environment's ApplySet it replaces", async () => {
    const shop = await project({
      name: 'shop',
      'cdk8s-devops': { applySet: 'shop', environments: { prod: { namespace: 'shop' } } },
    });
    expect(identity(shop, { env: 'prod', applyset: 'shop' })).toEqual({
      name: 'shop',
      namespace: 'shop',
      source: '--applyset instead of shop-prod, the ApplySet of --env prod',
    });
    // Naming the environment's own ApplySet replaces nothing.
    expect(identity(shop, { env: 'prod', applyset: 'shop-prod' }).source).toBe('--applyset');
  });

  test('without package.json or --applyset, the error says where to set it', async () => {
    const bare = await project();
    expect(() => identity(bare)).toThrow(
      `no ApplySet name: pass --applyset, or set "cdk8s-devops": { "applySet": "<name>", "namespace": "<namespace>" } in ${join(bare, 'package.json')}`,
    );
  });
});

describe('cdk8s-devops arguments', () => {
  test('an unknown option is an error with exit code 1, and 2 for diff (whose 1 means changes)', async () => {
    const apply = await run(['apply', '--frobnicate']);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toBe("error: unknown option '--frobnicate'\n");
    const diff = await run(['diff', '--frobnicate']);
    expect(diff.code).toBe(2);
    expect(diff.stderr).toBe("error: unknown option '--frobnicate'\n");
  });

  test.each([
    [
      ['apply', '--request-retries', 'abc'],
      "option '--request-retries <n>' argument 'abc' is invalid. expected a whole number 0 or more.",
    ],
    [
      ['history', '--request-retries', '-1'],
      "option '--request-retries <n>' argument '-1' is invalid. expected a whole number 0 or more.",
    ],
    [
      ['apply', '--timeout', 'abc'],
      `option '--timeout <duration>' argument 'abc' is invalid. invalid duration "abc": use a number of seconds or units like 90s, 5m, 1h30m.`,
    ],
    [
      ['watch', '--object-timeout', '0s'],
      "option '--object-timeout <duration>' argument '0s' is invalid. a duration must be more than 0.",
    ],
    [
      ['rollback', '--to-revision', '0'],
      "option '--to-revision <n>' argument '0' is invalid. expected a whole number 1 or more.",
    ],
    [
      ['apply', '--timeout', '597h'],
      "option '--timeout <duration>' argument '597h' is invalid. a duration must be at most 596h (24 days), the longest a timer can wait.",
    ],
    [
      ['watch', '--object-timeout', '1000000h'],
      "option '--object-timeout <duration>' argument '1000000h' is invalid. a duration must be at most 596h (24 days), the longest a timer can wait.",
    ],
    [
      ['rollback', '--timeout', '5x'],
      `option '--timeout <duration>' argument '5x' is invalid. invalid duration "5x": use a number of seconds or units like 90s, 5m, 1h30m.`,
    ],
  ])('%j is refused before anything runs, exit 1', async (args, message) => {
    const result = await run([...args, manifests]);
    expect(result.stderr).toBe(`error: ${message}\n`);
    expect(result.code).toBe(1);
  });

  test('an invalid flag of diff exits 2', async () => {
    const result = await run(['diff', manifests, '--request-retries', 'abc']);
    expect(result.code).toBe(2);
  });

  test('an unknown output format lists the allowed ones', async () => {
    const result = await run(['diff', '-o', 'yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "error: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json.\n",
    );
  });

  test('--help lists every command and exits 0', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'diff',
      'apply',
      'deploy',
      'history',
      'rollback',
      'watch',
      'status',
      'promote',
      'abort',
      'retry',
      'pause',
      'resume',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  test('without manifests, the default dist/ folder is named with the fix', async () => {
    const result = await run(['status', '--kubeconfig', await kubeconfig('https://127.0.0.1:1')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${join(dir, 'dist')} does not exist: run \`npm run synth\` first, or name the manifests to use\n`,
    );
  });

  test('a --kubeconfig that does not exist is named', async () => {
    const result = await run(['diff', manifests, '--kubeconfig', join(dir, 'missing')]);
    expect(result.stderr).toBe(
      `error: the kubeconfig ${join(dir, 'missing')} does not exist: pass --kubeconfig with the right path\n`,
    );
  });
});

describe('cluster access errors, in one line without a stack trace', () => {
  test('no kubeconfig anywhere', async () => {
    const result = await run(['diff', manifests]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: no cluster to talk to: pass --kubeconfig, set KUBECONFIG, create ~/.kube/config, or run inside a cluster\n',
    );
  });

  test('a malformed kubeconfig', async () => {
    const file = join(dir, 'broken.kubeconfig');
    await writeFile(file, 'clusters: [\n');
    const result = await run(['diff', manifests, '--kubeconfig', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `error: ${file} is not a valid kubeconfig: unexpected end of the stream within a flow collection (2:1); fix the file or pass another with --kubeconfig\n`,
    );
  });

  test('a kubeconfig that is not YAML is named with the reason, not taken for one without a cluster', async () => {
    const file = join(dir, 'text.kubeconfig');
    await writeFile(file, 'this is not a kubeconfig\n');
    const result = await run(['apply', manifests, '--kubeconfig', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${file} is not a valid kubeconfig: it holds the string "this is not a kubeconfig", not a YAML mapping of clusters, users and contexts; fix the file or pass another with --kubeconfig\n`,
    );
  });

  test('an unknown context lists the contexts there are', async () => {
    const file = await kubeconfig('https://127.0.0.1:1');
    const result = await run(['diff', manifests, '--kubeconfig', file, '--context', 'prod']);
    expect(result.stderr).toBe('error: the kubeconfig has no context "prod" (contexts: dead)\n');
  });

  test('a dead server, after the retries, names the server and never the token', async () => {
    const file = await kubeconfig('https://127.0.0.1:1');
    const result = await run(['diff', manifests, '--kubeconfig', file, '--request-retries', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: cannot reach the API server at https://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1; check the server address and that it is up\n',
    );
    expect(result.stderr).not.toContain('s3cr3t');
  });
});

describe('progress output', () => {
  test('without a terminal, one timestamped line per change', () => {
    const stream = new PassThrough();
    const lines: string[] = [];
    stream.on('data', (c: Buffer) => lines.push(c.toString()));
    const progress = createProgress({ stream, now: () => new Date('2026-01-01T00:00:00Z') });
    progress.status({
      ref: 'Rollout/shop/web',
      readiness: { state: 'progressing', phase: 'Paused', message: 'CanaryPauseStep' },
    });
    progress.event({
      ref: 'Rollout/shop/web',
      type: 'Normal',
      reason: 'RolloutPaused',
      message: 'Rollout is paused',
      count: 1,
      firstSeen: '2026-01-01T00:00:00Z',
      lastSeen: '2026-01-01T00:00:00Z',
    });
    progress.event({
      ref: 'Pod/shop/web-7f9c-x2x',
      type: 'Warning',
      reason: 'BackOff',
      message: 'Back-off restarting failed container app',
      count: 5,
      firstSeen: '2025-12-31T23:58:00Z',
      lastSeen: '2026-01-01T00:00:00Z',
    });
    progress.status({
      ref: 'Rollout/shop/web',
      readiness: { state: 'ready', phase: 'Healthy', message: 'healthy' },
      outcome: 'ready',
    });
    progress.stop();
    expect(lines.join('')).toBe(
      [
        '2026-01-01T00:00:00.000Z Rollout/shop/web Paused: CanaryPauseStep',
        '2026-01-01T00:00:00.000Z Rollout/shop/web event Normal RolloutPaused: Rollout is paused',
        '2026-01-01T00:00:00.000Z Pod/shop/web-7f9c-x2x event Warning BackOff x5 over 2m: Back-off restarting failed container app',
        '2026-01-01T00:00:00.000Z Rollout/shop/web Healthy: healthy',
        '',
      ].join('\n'),
    );
  });
});

describe('live progress on a terminal', () => {
  test('one line per object, a spinner while waiting and a mark when done, redrawn in place', () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c.toString()));
    const progress = createProgress({ stream, live: true });
    progress.status({
      ref: 'Deployment/shop/web',
      readiness: { state: 'progressing', message: '1 of 3 replicas updated' },
    });
    progress.status({
      ref: 'Job/shop/migrate',
      readiness: { state: 'failed', message: 'BackoffLimitExceeded' },
      outcome: 'failed',
    });
    progress.status({
      ref: 'Deployment/shop/web',
      readiness: { state: 'ready', message: 'ready' },
      outcome: 'ready',
    });
    progress.stop();
    const output = chunks.join('');
    expect(output).toContain('⠋ Deployment/shop/web  progressing: 1 of 3 replicas updated');
    expect(output).toContain(
      '✔ Deployment/shop/web  ready\n✖ Job/shop/migrate     failed: BackoffLimitExceeded',
    );
    // log-update erases the previous frame before drawing the next.
    expect(output).toContain('\u001b[2K');
  });
});

async function kubeconfig(server: string): Promise<string> {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.kubeconfig`);
  await writeFile(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'dead', cluster: { server } }],
      users: [{ name: 'me', user: { token: 's3cr3t' } }],
      contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'me' } }],
      'current-context': 'dead',
    }),
  );
  return file;
}
