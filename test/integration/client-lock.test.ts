/**
 * Locking (issue 10, case 2): applies of one ApplySet never overlap. The first apply is held at a named
 * checkpoint (CDK8S_DEVOPS_TEST_HOLD_AT) while the others start, so the overlap is certain.
 */
import { hostname, userInfo } from 'node:os';
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';
import { startCli } from './client-process.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const configMapNames = async (ns: string) =>
  (await api().request<{ items: Manifest[] }>({ path: `/api/v1/namespaces/${ns}/configmaps` })).items
    .map((c) => c.metadata.name)
    .filter((n) => n !== 'kube-root-ca.crt')
    .sort();
const lockMessage = (command: string) =>
  new RegExp(
    `^error: another ${command} of app by ${userInfo().username}@${hostname()} since \\d\\d:\\d\\d:\\d\\d is in progress; wait for it, or, if it is no longer running, break its lock with \`cdk8s-devops unlock --applyset app -n \\S+\` \\(it expires by itself 15 s after its command died\\)\\n$`,
  );

describeCluster('one apply at a time', () => {
  test("while one apply holds the lock, every other apply, deploy, rollback and delete is refused; the holder's set wins", async () => {
    const ns = await createNamespace('client-lock');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const first = await writeManifests([configMap(ns, 'a', { v: '1' }), configMap(ns, 'b', { v: '1' })]);
    expect((await cli(['apply', first, ...base])).code).toBe(0);

    const holder = await writeManifests([
      configMap(ns, 'a', { v: 'holder' }),
      configMap(ns, 'c', { v: '1' }),
    ]);
    const other = await writeManifests([configMap(ns, 'a', { v: 'other' }), configMap(ns, 'd', { v: '1' })]);
    const held = startCli(['apply', holder, ...base, '-m', 'holder'], 'locked');
    await held.held;
    for (const args of [
      ['apply', other, ...base],
      ['deploy', other, ...base, '--no-synth'],
      ['rollback', '-n', ns, '--applyset', 'app'],
      ['delete', ...base],
    ]) {
      const run = await cli(args);
      expect(run.stderr).toMatch(lockMessage('apply'));
      expect(run.code).toBe(1);
    }
    held.child.kill('SIGUSR2');
    const done = await held.exited;
    expect(done.stderr).toBe('holding at locked\n');
    expect(done.code).toBe(0);

    expect(await configMapNames(ns)).toEqual(['a', 'c']);
    const a = await api().request<{ data: Record<string, string> }>({
      path: `/api/v1/namespaces/${ns}/configmaps/a`,
    });
    expect(a.data).toEqual({ v: 'holder' });
    const history = JSON.parse(
      (await cli(['history', '-n', ns, '--applyset', 'app', '-o', 'json'])).stdout,
    ) as {
      number: number;
      message: string;
      status: string;
    }[];
    expect(history.map((r) => [r.number, r.message, r.status])).toEqual([
      [1, '', 'superseded'],
      [2, 'holder', 'deployed'],
    ]);
    // Released on exit: the next apply goes ahead.
    expect((await cli(['apply', other, ...base])).code).toBe(0);
  });

  test('an apply whose lock was broken stops before pruning and records nothing', async () => {
    const ns = await createNamespace('client-lost');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    expect(
      (await cli(['apply', await writeManifests([configMap(ns, 'a', {}), configMap(ns, 'b', {})]), ...base]))
        .code,
    ).toBe(0);
    // `a` changes (an unchanged object is not sent, so it would never reach the checkpoint) and `b` goes.
    const held = startCli(
      ['apply', await writeManifests([configMap(ns, 'a', { changed: 'yes' })]), ...base],
      'applying',
    );
    await held.held;
    const unlock = await cli(['unlock', '-n', ns, '--applyset', 'app']);
    expect(unlock.stdout).toContain(
      'broke the lock of app; a command that still held it stops before its next change\n',
    );
    held.child.kill('SIGUSR2');
    const done = await held.exited;
    expect(done.code).toBe(1);
    expect(done.stderr).toContain(
      'error: the lock on app was lost (broken, or not renewed in time) before pruning; stopped there. Run the command again: what was applied is kept, and the next run finishes the work\n',
    );
    expect(await configMapNames(ns)).toEqual(['a', 'b']);
  });

  test('SIGINT says what was applied and what was not, gives the lock up, and exits 130', async () => {
    const ns = await createNamespace('client-sigint');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const file = await writeManifests([
      configMap(ns, 'a', {}),
      configMap(ns, 'b', {}),
      configMap(ns, 'c', {}),
    ]);
    const held = startCli(['apply', file, ...base], 'applying');
    await held.held;
    held.child.kill('SIGINT');
    const done = await held.exited;
    expect(done.code).toBe(130);
    expect(done.stderr).toMatch(
      /interrupted: 3 of 3 objects applied, 0 of 0 pruned, recorded as revision 1 \(failed\); running the command again is safe: it applies what is missing and prunes only after every apply succeeded\n/,
    );
    // The lock went with it: the next apply is not refused.
    const again = await cli(['apply', file, ...base]);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  });

  test('a killed apply blocks others only until its lease expires, or until unlock breaks it', async () => {
    const ns = await createNamespace('client-stale');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const file = await writeManifests([configMap(ns, 'a', {})]);
    const held = startCli(['apply', file, ...base], 'locked');
    await held.held;
    held.child.kill('SIGKILL');
    await held.exited;
    const refused = await cli(['apply', file, ...base]);
    expect(refused.stderr).toMatch(lockMessage('apply'));
    expect((await cli(['unlock', '-n', ns, '--applyset', 'app'])).code).toBe(0);
    expect((await cli(['apply', file, ...base])).code).toBe(0);
    // Without unlock, the lease expires by itself.
    const killed = startCli(['apply', file, ...base], 'locked');
    await killed.held;
    killed.child.kill('SIGKILL');
    await killed.exited;
    await eventually(
      'the lease of the killed apply to expire',
      async () => ((await cli(['apply', file, ...base])).code === 0 ? true : undefined),
      40_000,
    );
    const lease = await api()
      .request({ path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/app.lock` })
      .catch((error: ApiError) => error.code);
    expect(lease).toBe(404);
  });
});
