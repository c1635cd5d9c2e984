/**
 * The ported examples on the real control plane: each is admitted under Pod Security "restricted" with
 * no warning, applied by the client with an ApplySet of its own, and becomes ready, pods on kwok nodes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Chart } from 'cdk8s';
import { Testing } from 'cdk8s';
import { BankOfAnthos } from '../../examples/bank-of-anthos/bank-of-anthos.js';
import { OnlineBoutique } from '../../examples/online-boutique/online-boutique.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { readManifests } from '../examples/normalize.js';
import { PROJECT_ROOT } from '../util/project.js';
import { testApp } from '../util/synth.js';
import { cli, writeManifests } from './client-cli.js';
import { describeCluster, serverSideApply, testKubeConfig } from './cluster.js';

const examples: {
  name: string;
  build: (namespace: string) => Chart;
  /** What upstream has applied by hand before its manifests. */
  prerequisites: Manifest[];
}[] = [
  {
    name: 'online-boutique',
    build: (namespace) => new OnlineBoutique(testApp(), 'online-boutique', { namespace }),
    prerequisites: [],
  },
  {
    name: 'bank-of-anthos',
    build: (namespace) => new BankOfAnthos(testApp(), 'bank-of-anthos', { namespace }),
    prerequisites: readManifests(`${PROJECT_ROOT}/examples/bank-of-anthos/upstream/jwt-secret.yaml`),
  },
];

/** `kubectl <args>` against the test cluster; kubectl prints every warning the API server sends on stderr. */
async function kubectl(args: readonly string[], input?: string): Promise<{ stdout: string; stderr: string }> {
  const run = promisify(execFile)(binaryPath('kubectl'), [...args], {
    env: { ...process.env, KUBECONFIG: process.env[KUBECONFIG_VARIABLE] },
  });
  run.child.stdin!.end(input);
  return run;
}

/** The Namespace first (it must exist for a dry run of the rest), then everything else. */
function splitNamespace(manifests: Manifest[]): [Manifest, Manifest[]] {
  const namespace = manifests.find((m) => m.kind === 'Namespace')!;
  return [namespace, manifests.filter((m) => m !== namespace)];
}

/**
 * Plays the two parts of a real cluster the test control plane lacks while `until` runs: a person who
 * creates the app's prerequisites once its namespace exists (upstream's README steps), and the cloud's
 * load-balancer controller, which gives every LoadBalancer Service an address.
 */
async function standIn(namespace: string, prerequisites: Manifest[], until: Promise<unknown>): Promise<void> {
  const api = ApiClient.fromKubeConfig(testKubeConfig());
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  let done = false;
  void until.finally(() => (done = true));
  let created = prerequisites.length === 0;
  while (!done) {
    const namespaces = await core.listNamespace({ fieldSelector: `metadata.name=${namespace}` });
    if (!created && namespaces.items.length === 1) {
      await serverSideApply(prerequisites.map((m) => ({ ...m, metadata: { ...m.metadata, namespace } })));
      created = true;
    }
    if (namespaces.items.length === 1) {
      for (const service of (await core.listNamespacedService({ namespace })).items) {
        if (service.spec?.type === 'LoadBalancer' && !service.status?.loadBalancer?.ingress?.length) {
          await api.request({
            method: 'PATCH',
            path: `/api/v1/namespaces/${namespace}/services/${service.metadata!.name}/status`,
            contentType: 'application/merge-patch+json',
            body: { status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } } },
          });
        }
      }
    }
    await sleep(500);
  }
}

describeCluster.each(examples)('examples/$name on a real control plane', ({ name, build, prerequisites }) => {
  test('is admitted under Pod Security "restricted" (enforce and warn) without a single warning', async () => {
    const namespace = `${name}-admit-${randomBytes(3).toString('hex')}`;
    const [namespaceObject, rest] = splitNamespace(Testing.synth(build(namespace)) as Manifest[]);
    expect(namespaceObject.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    await serverSideApply([namespaceObject]);
    // The client's diff sends every object through admission (a server-side dry run, stored nothing) and
    // reports the API server's warnings, Pod Security's included.
    const file = await writeManifests(rest);
    const diff = await cli(['diff', file, '-n', namespace, '--applyset', `${name}-admit`, '-o', 'json']);
    const { changes, warnings } = JSON.parse(diff.stdout) as {
      changes: { ref: string }[];
      warnings: string[];
    };
    expect(warnings).toEqual([]);
    expect(diff.stderr).toBe('');
    expect(changes.filter((c) => c.ref.startsWith('Deployment/')).length).toBe(
      rest.filter((m) => m.kind === 'Deployment').length,
    );
    // The same namespace does warn about a pod that is not restricted, so silence above is a pass.
    const rootPod = await kubectl(
      ['create', '--dry-run=server', '-n', namespace, '-f', '-'],
      JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'unrestricted' },
        spec: {
          selector: { matchLabels: { app: 'x' } },
          template: {
            metadata: { labels: { app: 'x' } },
            spec: { containers: [{ name: 'x', image: 'x:1' }] },
          },
        },
      }),
    );
    expect(rootPod.stderr).toContain('would violate PodSecurity "restricted:latest"');
  });

  test('applies with the client into its own namespace and becomes ready, every pod Ready on a kwok node', async () => {
    const namespace = `${name}-${randomBytes(3).toString('hex')}`;
    const manifests = Testing.synth(build(namespace)) as Manifest[];
    const file = await writeManifests(manifests);
    const apply = cli([
      'apply',
      file,
      '-n',
      namespace,
      '--applyset',
      name,
      '--yes',
      '--wait',
      '--timeout',
      '4m',
    ]);
    await standIn(namespace, prerequisites, apply);
    const run = await apply;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`applied ${manifests.length} objects, pruned 0; recorded revision 1`);

    const kc = testKubeConfig();
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const workloads = [
      ...(await apps.listNamespacedDeployment({ namespace })).items,
      ...(await apps.listNamespacedStatefulSet({ namespace })).items,
    ];
    expect(workloads.length).toBe(
      manifests.filter((m) => ['Deployment', 'StatefulSet'].includes(m.kind)).length,
    );
    for (const workload of workloads) {
      const { name: workloadName } = workload.metadata!;
      expect({ workloadName, ready: workload.status?.readyReplicas }).toEqual({
        workloadName,
        ready: workload.spec?.replicas,
      });
      const selector = Object.entries(workload.spec!.selector.matchLabels!)
        .map(([key, value]) => `${key}=${value}`)
        .join(',');
      const pods = (await core.listNamespacedPod({ namespace, labelSelector: selector })).items;
      expect(pods.length).toBe(workload.spec?.replicas);
      for (const pod of pods) {
        expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
        expect(pod.status?.conditions).toContainEqual(
          expect.objectContaining({ type: 'Ready', status: 'True' }),
        );
      }
    }
  }, 300_000);
});
