/**
 * `npm run cluster:up` / `cluster:down` keep one state file per named cluster, so that one person's
 * `down` never stops another's cluster. The clusters here are stand-ins (a process playing the API server
 * in a state file), so the test needs no control plane; `up` of a running cluster starts nothing.
 */
import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from '../cluster/processes.js';
import { PROJECT_ROOT } from '../util/project.js';

async function cluster(
  cache: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'test/cluster/cli.ts'), ...args],
      { cwd: PROJECT_ROOT, env: { ...process.env, CDK8S_DEVOPS_CACHE: cache } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A cluster named `name` whose "API server" is a process of its own group, as the harness starts them. */
async function standIn(
  cache: string,
  name: string,
): Promise<{ apiserver: ChildProcess; kubeconfig: string }> {
  const apiserver = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  const dataDir = await mkdtemp(join(tmpdir(), `cluster-${name}-`));
  const kubeconfig = join(dataDir, 'kubeconfig');
  await mkdir(join(cache, 'clusters'), { recursive: true });
  await writeFile(
    join(cache, 'clusters', `${name}.json`),
    JSON.stringify({
      dataDir,
      kubeconfig,
      server: '',
      prometheus: '',
      exporter: '',
      pids: { 'kube-apiserver': apiserver.pid },
    }),
  );
  return { apiserver, kubeconfig };
}

test('each named cluster has its own state: up finds it, down stops that one only', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'cluster-cache-'));
  const alice = await standIn(cache, 'alice');
  const bob = await standIn(cache, 'bob');
  try {
    expect(await cluster(cache, 'up', '--name', 'alice')).toEqual({
      code: 0,
      stdout: `cluster "alice" is already up: export KUBECONFIG=${alice.kubeconfig}\n`,
      stderr: '',
    });
    expect((await cluster(cache, 'down')).stdout).toBe(
      'no cluster "default" is up (up: "alice", "bob"; pass --name)\n',
    );
    expect((await cluster(cache, 'down', '--name', 'bob')).stdout).toBe('cluster "bob" stopped\n');
    expect(isAlive(bob.apiserver.pid!)).toBe(false);
    expect(existsSync(join(cache, 'clusters', 'bob.json'))).toBe(false);
    // Bob's down left Alice's cluster running.
    expect(isAlive(alice.apiserver.pid!)).toBe(true);
    expect((await cluster(cache, 'down', '--name', 'alice')).stdout).toBe('cluster "alice" stopped\n');
    expect(isAlive(alice.apiserver.pid!)).toBe(false);
  } finally {
    alice.apiserver.kill('SIGKILL');
    bob.apiserver.kill('SIGKILL');
  }
});

test('a name that cannot name a state file is refused', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'cluster-cache-'));
  const run = await cluster(cache, 'up', '--name', '../Alice');
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(
    `cluster up: --name "../Alice": a cluster's name must be lowercase letters, digits and '-' (it names its state file ${join(cache, 'clusters', '<name>.json')})\n`,
  );
});
