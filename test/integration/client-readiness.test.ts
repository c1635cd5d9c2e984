/** Readiness on the real control plane: a checker of the user's own, and checkers that see what their object owns. */
import type { LiveObject } from '../../client/index.js';
import { progressing, ReadinessRegistry, Release } from '../../client/index.js';
import { createNamespace, describeCluster, serverSideApply, testKubeConfig } from './cluster.js';
import { cli, configMap, deployment, writeManifests } from './client-cli.js';

describeCluster('readiness', () => {
  test("a readiness checker of its user's own decides, and sees the pods beneath a Deployment", async () => {
    const ns = await createNamespace('client-readiness');
    // Ready only once every pod of the Deployment (through its ReplicaSet) is Running and the ConfigMap
    // beside it says so: two rules no built-in checker has.
    const seen: string[] = [];
    const readiness = ReadinessRegistry.withBuiltIns()
      .register('apps/v1', 'Deployment', {
        // Every kind on the way down: the Deployment owns ReplicaSets, which own the Pods.
        owns: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
          { apiVersion: 'v1', kind: 'Pod' },
        ],
        conditions: [
          (_deployment, owned) => {
            const running = owned
              .of('Pod')
              .filter((p) => (p.status as { phase?: string }).phase === 'Running');
            return running.length < 2 ? progressing(`${running.length} of 2 pods running`) : undefined;
          },
        ],
      })
      .register('v1', 'ConfigMap', {
        observedGeneration: 'ignored',
        conditions: [
          (cm: LiveObject) =>
            (cm.data as { go?: string }).go === 'yes' ? undefined : progressing('waiting for go'),
        ],
      });
    const release = Release.connect({ kubeConfig: testKubeConfig(), name: 'own', namespace: ns, readiness });
    const manifests = [deployment(ns, 'web', 2), configMap(ns, 'gate', { go: 'no' })];
    await release.apply(await release.changeSet(manifests));
    const waiting = release.watch(manifests, {
      timeoutMs: 60_000,
      onStatus: (s) => seen.push(`${s.ref} ${s.readiness.message}`),
    });
    // The gate opens only after the watch began: the watch must see it happen.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await serverSideApply([configMap(ns, 'gate', { go: 'yes' })]);
    const result = await waiting;
    expect(result.outcome).toBe('ready');
    expect(seen).toContain(`ConfigMap/${ns}/gate waiting for go`);
    expect(seen).toContain(`ConfigMap/${ns}/gate ready`);
    expect(seen.filter((s) => s.startsWith(`Deployment/${ns}/web`)).at(-1)).toBe(
      `Deployment/${ns}/web ready`,
    );
    // The default registry would have called the gate ready at once.
    expect(
      (
        await Release.connect({ kubeConfig: testKubeConfig(), name: 'own', namespace: ns }).status([
          configMap(ns, 'gate', { go: 'no' }),
        ])
      )[0].readiness.state,
    ).toBe('ready');
  });

  test('a Deployment whose pods PodSecurity refuses fails fast with the admission message, in watch and status', async () => {
    const ns = await createNamespace('client-podsecurity', {
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    const file = await writeManifests([deployment(ns, 'web')]);
    const apply = await cli(['apply', file, '-n', ns, '--applyset', 'psa', '--yes']);
    expect(apply.code).toBe(0);
    const started = Date.now();
    const watch = await cli(['watch', file, '-n', ns, '--applyset', 'psa', '--timeout', '90s']);
    expect(watch.code).toBe(1);
    // Long before the 90 s timeout (or the Deployment's 10 minute progress deadline).
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(watch.stdout).toMatch(
      new RegExp(
        `Deployment/${ns}/web failed: ReplicaSet web-[a-z0-9]+: FailedCreate: pods "web-[a-z0-9]+-[a-z0-9]+" is forbidden: violates PodSecurity "restricted:latest"`,
      ),
    );
    const status = await cli(['status', file, '-n', ns, '--applyset', 'psa']);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/failed: ReplicaSet web-[a-z0-9]+: FailedCreate: .*violates PodSecurity/);
  });
});
