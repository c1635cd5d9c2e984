/**
 * Apps applied with the old selectors (cdk8s-plus's hash of the construct path) upgrade by a documented
 * path (issue 12): apply names the immutable field and the way out, and with the user's consent (a flag,
 * or yes on a terminal) recreates just those workloads, whose old pods serve until the new ones are ready.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppsV1Api } from '@kubernetes/client-node';
import { Testing } from 'cdk8s';
import { parseAllYaml } from '../util/yaml.js';
import type { Manifest } from '../../client/transport/resources.js';
import { AppStack } from '../../lib/apps/app-stack.js';
import { Worker } from '../../lib/apps/worker.js';
import { testApp } from '../util/synth.js';
import { cli, deployment, writeManifests } from './client-cli.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';

const apps = () => testKubeConfig().makeApiClient(AppsV1Api);

/** The Deployment once it runs `replicas` available pods of its current template and nothing else. */
const rolledOut = (namespace: string, name: string, replicas: number) =>
  eventually(`${name} to run ${replicas} available pods of its current template`, async () => {
    const d = await apps().readNamespacedDeployment({ name, namespace });
    const s = d.status;
    return s?.observedGeneration === d.metadata?.generation &&
      s?.updatedReplicas === replicas &&
      s?.availableReplicas === replicas &&
      s?.replicas === replicas
      ? d
      : undefined;
  });

describeCluster('recreating workloads whose selector changed', () => {
  test('the default app applied with path-hash selectors upgrades: refused with the way out, then recreated on a yes', async () => {
    const ns = await createNamespace('recreate');
    const old = parseAllYaml(
      readFileSync(join(import.meta.dirname, 'data/orders-worker-path-selector.yaml'), 'utf8'),
    ).map((d) => ({ ...d, metadata: { ...d.metadata, namespace: ns } }) as Manifest);
    const flags = ['-n', ns, '--applyset', 'shop'];
    const first = await cli([
      'apply',
      await writeManifests(old),
      ...flags,
      '--yes',
      '--wait',
      '--timeout',
      '90s',
    ]);
    expect(first.code).toBe(0);
    const before = await rolledOut(ns, 'orders-worker', 2);
    const oldReplicaSet = (await apps().listNamespacedReplicaSet({ namespace: ns })).items[0];

    const stack = new AppStack(testApp(), 'shop', { namespace: ns });
    new Worker(stack.addTier('workers'), 'orders-worker', {
      image: 'ghcr.io/cdk8s-devops/orders-worker:1.4.2',
      replicas: 2,
    });
    const current = await writeManifests(
      (Testing.synth(stack) as Manifest[]).filter((o) => o.kind !== 'Namespace'),
    );

    // Without consent (no terminal, no flag): refused before anything changed, naming the field and the way out.
    const refused = await cli(['apply', current, ...flags, '--yes']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `  - Deployment/${ns}/orders-worker: Invalid: Deployment.apps "orders-worker" is invalid: spec.selector: Invalid value: `,
    );
    expect(refused.stderr).toContain(
      '; spec.selector cannot change on a live Deployment. Rerun with --recreate-on-immutable (or answer yes on a terminal) to delete just this Deployment, keeping its pods, and create it anew: the old pods serve until the new ones are ready (docs/apps.md: "Migrating to name selectors")',
    );
    expect(
      (await apps().readNamespacedDeployment({ name: 'orders-worker', namespace: ns })).metadata?.uid,
    ).toBe(before.metadata?.uid);

    // On a terminal, the change set shows the recreation and the confirmation is the consent.
    const upgraded = await cli(['apply', current, ...flags], { answer: 'y' });
    expect(upgraded.stderr).toBe('');
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).toMatch(new RegExp(`recreate +Deployment/${ns}/orders-worker\\n`));
    expect(upgraded.stdout).toContain(
      `recreate: Deployment/${ns}/orders-worker: spec.selector cannot change on a live Deployment: it is deleted and created anew, its pods kept until the new ones are ready\n`,
    );
    expect(upgraded.stdout).toMatch(/recorded revision 2\n$/);
    const after = await rolledOut(ns, 'orders-worker', 2);
    expect(after.metadata?.uid).not.toBe(before.metadata?.uid);
    expect(after.spec?.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders-worker' } });
    // The old ReplicaSet's pods carry app.kubernetes.io/name: the new Deployment adopted it and scaled it down.
    const adopted = await apps().readNamespacedReplicaSet({
      name: oldReplicaSet.metadata!.name!,
      namespace: ns,
    });
    expect(adopted.metadata?.ownerReferences?.[0]?.uid).toBe(after.metadata?.uid);
    expect(adopted.spec?.replicas).toBe(0);
    const history = await cli(['history', ...flags]);
    expect(history.stdout).toMatch(/\n2 +\S+ +deployed /);
  });

  test('old pods the new selector does not match serve until the new ones are ready, then go', async () => {
    const ns = await createNamespace('recreate');
    const flags = ['-n', ns, '--applyset', 'web'];
    const v1 = deployment(ns, 'web', 2);
    expect(
      (await cli(['apply', await writeManifests([v1]), ...flags, '--yes', '--wait', '--timeout', '90s']))
        .code,
    ).toBe(0);
    const before = await rolledOut(ns, 'web', 2);
    const oldReplicaSet = (await apps().listNamespacedReplicaSet({ namespace: ns })).items[0];
    // A selector the old pods do not match: the new Deployment cannot adopt them.
    const spec = v1.spec as { template: { metadata: { labels: Record<string, string> } } };
    const labels = { app: 'web', track: 'stable' };
    const v2 = {
      ...v1,
      spec: {
        ...spec,
        selector: { matchLabels: labels },
        template: { ...spec.template, metadata: { labels } },
      },
    };
    const run = await cli([
      'apply',
      await writeManifests([v2]),
      ...flags,
      '--yes',
      '--recreate-on-immutable',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // apply returned once the new Deployment was ready and the old ReplicaSet (with its pods) was deleted.
    const after = await apps().readNamespacedDeployment({ name: 'web', namespace: ns });
    expect(after.metadata?.uid).not.toBe(before.metadata?.uid);
    expect(after.status?.availableReplicas).toBe(2);
    const replicaSets = (await apps().listNamespacedReplicaSet({ namespace: ns })).items;
    expect(replicaSets.map((rs) => rs.metadata?.uid)).not.toContain(oldReplicaSet.metadata?.uid);
  });
  test('rollback to a revision before a recreation recreates again, with the same consent as apply', async () => {
    const ns = await createNamespace('recreate');
    const flags = ['-n', ns, '--applyset', 'web'];
    const v1 = deployment(ns, 'web', 1);
    expect((await cli(['apply', await writeManifests([v1]), ...flags, '--yes', '--wait'])).code).toBe(0);
    const spec = v1.spec as { template: { metadata: { labels: Record<string, string> } } };
    const labels = { app: 'web', track: 'stable' };
    const v2 = await writeManifests([
      {
        ...v1,
        spec: {
          ...spec,
          selector: { matchLabels: labels },
          template: { ...spec.template, metadata: { labels } },
        },
      },
    ]);
    expect((await cli(['apply', v2, ...flags, '--yes', '--recreate-on-immutable'])).code).toBe(0);
    const recreated = await rolledOut(ns, 'web', 1);

    // Revision 1's selector is immutable on revision 2's Deployment. Without a terminal and the flag: the way out.
    const refused = await cli(['rollback', ...flags]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'spec.selector cannot change on a live Deployment. Rerun with --recreate-on-immutable (or answer yes on a terminal) to delete just this Deployment, keeping its pods, and create it anew',
    );
    // On a terminal the recreation is shown and asked for; a no rolls back nothing.
    const declined = await cli(['rollback', ...flags], { answer: 'n' });
    expect(declined.stdout).toContain(
      `recreate: Deployment/${ns}/web: spec.selector cannot change on a live Deployment: it is deleted and created anew, its pods kept until the new ones are ready\nRecreate these workloads? [y/N] `,
    );
    expect(declined.stderr).toBe('nothing rolled back\n');
    expect(declined.code).toBe(1);
    expect((await apps().readNamespacedDeployment({ name: 'web', namespace: ns })).metadata?.uid).toBe(
      recreated.metadata?.uid,
    );

    const rolledBack = await cli(['rollback', ...flags, '--recreate-on-immutable']);
    expect(rolledBack.stderr).toBe('');
    expect(rolledBack.code).toBe(0);
    expect(rolledBack.stdout).toMatch(
      /rolled back: rollback to revision 1; applied 1 objects, pruned 0; recorded as revision 3\n$/,
    );
    const after = await rolledOut(ns, 'web', 1);
    expect(after.metadata?.uid).not.toBe(recreated.metadata?.uid);
    expect(after.spec?.selector).toEqual({ matchLabels: { app: 'web' } });
    const history = await cli(['history', ...flags, '-o', 'json']);
    expect((JSON.parse(history.stdout) as { status: string }[]).map((r) => r.status)).toEqual([
      'superseded',
      'rolled-back',
      'deployed',
    ]);
  });
  test('apply --recreate-on-immutable --rollback-on-failure recreates the workload again on its way back', async () => {
    const ns = await createNamespace('recreate');
    const flags = ['-n', ns, '--applyset', 'web'];
    const v1 = deployment(ns, 'web', 1);
    expect((await cli(['apply', await writeManifests([v1]), ...flags, '--yes', '--wait'])).code).toBe(0);
    const before = await rolledOut(ns, 'web', 1);
    // A new selector, and pods that no node can take: the recreated Deployment never becomes ready.
    const spec = v1.spec as { template: { metadata: object; spec: object } };
    const labels = { app: 'web', track: 'stable' };
    const broken = {
      ...v1,
      spec: {
        ...spec,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { ...spec.template.spec, nodeSelector: { 'no-such-label': 'anywhere' } },
        },
      },
    };
    const run = await cli([
      'apply',
      await writeManifests([broken]),
      ...flags,
      '--yes',
      '--recreate-on-immutable',
      '--wait',
      '--timeout',
      '10s',
      '--rollback-on-failure',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\nrolled back to revision 1\n$/);
    const after = await rolledOut(ns, 'web', 1);
    expect(after.spec?.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(after.metadata?.uid).not.toBe(before.metadata?.uid);
  });
});
