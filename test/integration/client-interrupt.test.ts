/**
 * Interrupts (issue 22, item 5): SIGINT or SIGTERM at any point from the lock on stops the command,
 * says exactly what was applied and recorded, and gives the lock up. The command is a real process,
 * held at a named checkpoint (CDK8S_DEVOPS_TEST_HOLD_AT) when the signal must land at a given step.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiError } from '../../client/transport/api-client.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';
import { cli, configMap, unschedulableDeployment, writeManifests } from './client-cli.js';
import { startCli } from './client-process.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const leaseStatus = (ns: string) =>
  api()
    .request({ path: `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/app.lock` })
    .then(
      () => 200,
      (error: ApiError) => error.code,
    );
const configMapNames = async (ns: string) =>
  (await api().request<{ items: Manifest[] }>({ path: `/api/v1/namespaces/${ns}/configmaps` })).items
    .map((c) => c.metadata.name)
    .filter((n) => n !== 'kube-root-ca.crt');
/** Each revision's number and status; none before the ApplySet exists. */
async function historyOf(ns: string) {
  const run = await cli(['history', '-n', ns, '--applyset', 'app', '-o', 'json']);
  const revisions = run.code === 0 ? (JSON.parse(run.stdout) as { number: number; status: string }[]) : [];
  return revisions.map((r) => [r.number, r.status]);
}

describeCluster('interrupts', () => {
  test.each([
    ['SIGINT', 'diffing', 130],
    ['SIGTERM', 'locked', 143],
  ] as const)(
    '%s while the change set is computed (at %s) says nothing changed, releases the lock and exits %d',
    async (signal, point, code) => {
      const ns = await createNamespace('client-int-diff');
      const file = await writeManifests([configMap(ns, 'a', {})]);
      const held = startCli(['apply', file, '-n', ns, '--applyset', 'app', '--yes'], point);
      await held.held;
      expect(await leaseStatus(ns)).toBe(200);
      held.child.kill(signal);
      const done = await held.exited;
      expect(done.stderr).toBe(
        `holding at ${point}\ninterrupted before anything was applied: nothing changed\n`,
      );
      expect(done.code).toBe(code);
      expect(await leaseStatus(ns)).toBe(404);
      expect(await configMapNames(ns)).toEqual([]);
    },
  );

  test('SIGINT mid-apply sends no further request: what it says was applied is exactly what is live, and recorded', async () => {
    const ns = await createNamespace('client-int-apply');
    const objects = Array.from({ length: 150 }, (_, i) => configMap(ns, `c-${i}`, { i: String(i) }));
    const held = startCli(
      ['apply', await writeManifests(objects), '-n', ns, '--applyset', 'app', '--yes'],
      'applying:20',
    );
    await held.held;
    held.child.kill('SIGINT');
    const done = await held.exited;
    expect(done.code).toBe(130);
    const applied = Number(/interrupted: (\d+) of 150 objects applied/.exec(done.stderr)?.[1]);
    // Nothing lands after the process said what it applied.
    await sleep(2000);
    expect((await configMapNames(ns)).length).toBe(applied);
    expect(done.stderr).toMatch(
      /interrupted: \d+ of 150 objects applied, 0 of 0 pruned, recorded as revision 1 \(failed\); running the command again is safe: it applies what is missing and prunes only after every apply succeeded\n$/,
    );
    expect(await historyOf(ns)).toEqual([[1, 'failed']]);
    expect(await leaseStatus(ns)).toBe(404);
  });

  test('SIGINT during --wait says which revision was recorded, and history marks it failed, not pending', async () => {
    const ns = await createNamespace('client-int-wait');
    // Pods that no node can take: the wait goes on until interrupted.
    const file = await writeManifests([unschedulableDeployment(ns, 'web')]);
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const run = startCli(['apply', file, ...base, '--wait', '--timeout', '5m']);
    await eventually('the revision to be recorded as pending', async () =>
      JSON.stringify(await historyOf(ns)) === JSON.stringify([[1, 'pending']]) ? true : undefined,
    );
    run.child.kill('SIGINT');
    const done = await run.exited;
    expect(done.code).toBe(130);
    expect(done.stderr).toBe(
      'interrupted: 1 of 1 objects applied, 0 of 0 pruned, recorded as revision 1 (failed); running the command again is safe: it applies what is missing and prunes only after every apply succeeded\n',
    );
    expect(await historyOf(ns)).toEqual([[1, 'failed']]);
    expect(await leaseStatus(ns)).toBe(404);
  });
});
