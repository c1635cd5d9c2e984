/**
 * A crash test: an apply of 600 objects that also prunes is killed with SIGKILL at fixed points (during
 * the change set, mid-apply, mid-prune, before the revision). Every rerun, once the killed command's
 * lock is broken as the refusal says, converges, and nothing outside the diff is ever deleted.
 */
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { createNamespace, describeCluster, serverSideApply, testKubeConfig } from './cluster.js';
import { cli, configMap, writeManifests } from './client-cli.js';
import { startCli } from './client-process.js';

const api = () => ApiClient.fromKubeConfig(testKubeConfig());
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describeCluster('SIGKILL at any point of an apply', () => {
  test('every rerun converges, and nothing outside the diff is deleted', async () => {
    const ns = await createNamespace('client-crash');
    const base = ['-n', ns, '--applyset', 'app', '--yes'];
    const names = (ids: number[]) => ids.map((i) => `cm-${i}`);
    // Version A: cm-0..599. Version B: cm-100..699, so B creates 100 and prunes 100.
    const versionA = await writeManifests(names(range(0, 600)).map((n) => configMap(ns, n, { v: 'a' })));
    const versionB = await writeManifests(names(range(100, 700)).map((n) => configMap(ns, n, { v: 'b' })));
    await serverSideApply([configMap(ns, 'not-ours', {})]);
    const live = async () => {
      const list = await api().request<{ items: Manifest[] }>({
        path: `/api/v1/namespaces/${ns}/configmaps`,
      });
      return new Map(list.items.map((c) => [c.metadata.name, c.metadata.uid as string]));
    };
    expect((await cli(['apply', versionA, ...base])).code).toBe(0);
    const kept = await live();

    for (const point of ['diffing:300', 'applying:300', 'pruning:50', 'recording']) {
      const killed = startCli(['apply', versionB, ...base], point);
      await killed.held;
      killed.child.kill('SIGKILL');
      await killed.exited;
      const refused = await cli(['apply', versionB, ...base]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('break its lock with `cdk8s-devops unlock --applyset app');
      expect((await cli(['unlock', '-n', ns, '--applyset', 'app'])).code).toBe(0);
      const rerun = await cli(['apply', versionB, ...base]);
      expect([point, rerun.stderr, rerun.code]).toEqual([point, '', 0]);
      const diff = await cli(['diff', versionB, '-n', ns, '--applyset', 'app']);
      expect([point, diff.code]).toEqual([point, 0]);
      const after = await live();
      expect([point, [...after.keys()].sort()]).toEqual([
        point,
        ['kube-root-ca.crt', 'not-ours', ...names(range(100, 700))].sort(),
      ]);
      // cm-100..599 are in both versions: never deleted and made again.
      for (const name of names(range(100, 600))) {
        expect([point, name, after.get(name)]).toEqual([point, name, kept.get(name)]);
      }
      expect(after.get('not-ours')).toBe(kept.get('not-ours'));
      // Back to A for the next point (which makes cm-0..99 anew).
      expect((await cli(['apply', versionA, ...base])).code).toBe(0);
      for (const [name, uid] of await live()) {
        kept.set(name, uid);
      }
    }
  }, 600_000);
});
