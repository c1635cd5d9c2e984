import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Chart, Testing } from 'cdk8s';
import { parseAllYaml } from '../util/yaml.js';
import { ShopChart } from '../../charts/shop-chart.js';
import { ApiClient } from '../../client/transport/api-client.js';
import { describeFailure } from '../../client/errors.js';
import type { Manifest } from '../../client/transport/resources.js';
import { AppStack } from '../../lib/apps/app-stack.js';
import { ConfigMap } from '../../lib/apps/config-map.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { DevOpsApp } from '../../lib/devops-app.js';
import { binaryPath } from '../cluster/components.js';
import { KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { testApp } from '../util/synth.js';
import { createNamespace, describeCluster, eventually, serverSideApply, testKubeConfig } from './cluster.js';

describeCluster('the default app on a real control plane', () => {
  const kc = testKubeConfig();
  const namespace = `shop-${randomBytes(3).toString('hex')}`;
  let applyOutput: { stdout: string; stderr: string };

  beforeAll(async () => {
    const publishDir = join(mkdtempSync(join(tmpdir(), 'shop-')), 'dist');
    const app = new DevOpsApp({ publishDir });
    new ShopChart(app, 'shop', { namespace });
    app.synth();
    const manifest = join(publishDir, 'shop.k8s.yaml');
    expect(readFileSync(manifest, 'utf8')).toContain(`name: ${namespace}`);
    applyOutput = await promisify(execFile)(
      binaryPath('kubectl'),
      ['apply', '--server-side', '--field-manager=cdk8s-devops-test', '-f', manifest],
      { env: { ...process.env, KUBECONFIG: process.env[KUBECONFIG_VARIABLE] } },
    );
  });

  test('applies into its namespace, which enforces Pod Security "restricted", with no warning', async () => {
    expect(applyOutput.stderr).toBe('');
    expect(applyOutput.stdout).toContain('deployment.apps/api serverside-applied');
    const ns = await kc.makeApiClient(CoreV1Api).readNamespace({ name: namespace });
    expect(ns.metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test("every workload becomes available with Ready pods on kwok nodes, the Rollouts' from the real controller", async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    // The storefront's and the api's pods are run by the Argo Rollouts controller from their Deployments'
    // templates (the Deployments stay at zero), which puts the same pods through the namespace's Pod
    // Security enforcement.
    const workloads = [
      { name: 'storefront', rollout: true },
      { name: 'api', rollout: true },
      { name: 'orders-worker', rollout: false },
    ];
    for (const { name, rollout } of workloads) {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      let selector = Object.entries(d.spec!.selector.matchLabels!)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      let replicas: number;
      if (rollout) {
        expect(d.spec?.replicas).toBe(0);
        const path = `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`;
        const live = await eventually(`Rollout ${name} to be Healthy`, async () => {
          const r = await ApiClient.fromKubeConfig(kc).request<{
            status?: { phase?: string; currentPodHash?: string; availableReplicas?: number };
          }>({ path });
          return r.status?.phase === 'Healthy' ? r.status : undefined;
        });
        selector += `,rollouts-pod-template-hash=${live.currentPodHash}`;
        replicas = live.availableReplicas ?? 0;
        expect(replicas).toBeGreaterThanOrEqual(1);
      } else {
        const deployment = await eventually(`${name} to be available`, async () => {
          const live = await apps.readNamespacedDeployment({ name, namespace });
          const s = live.status;
          return s?.observedGeneration === live.metadata?.generation &&
            (s?.readyReplicas ?? 0) >= 1 &&
            s?.readyReplicas === live.spec?.replicas
            ? live
            : undefined;
        });
        replicas = deployment.spec!.replicas!;
      }
      const pods = await core.listNamespacedPod({ namespace, labelSelector: selector });
      expect(pods.items.length).toBe(replicas);
      for (const pod of pods.items) {
        expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
        expect(pod.status?.conditions).toContainEqual(
          expect.objectContaining({ type: 'Ready', status: 'True' }),
        );
      }
    }
  });

  test('each ServiceAccount can do exactly what was granted: the api reads its ConfigMap and nothing more', async () => {
    const auth = kc.makeApiClient(AuthorizationV1Api);
    const can = async (serviceAccount: string, verb: string, resource: string, name?: string) => {
      const review = await auth.createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${namespace}:${serviceAccount}`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
            resourceAttributes: { namespace, verb, resource, name },
          },
        },
      });
      return review.status?.allowed ?? false;
    };
    expect(await can('api', 'get', 'configmaps', 'api-config')).toBe(true);
    expect(await can('api', 'watch', 'configmaps', 'api-config')).toBe(true);
    expect(await can('api', 'update', 'configmaps', 'api-config')).toBe(false);
    expect(await can('api', 'get', 'configmaps', 'other-config')).toBe(false);
    expect(await can('api', 'list', 'secrets')).toBe(false);
    expect(await can('api', 'list', 'pods')).toBe(false);
    expect(await can('storefront', 'get', 'configmaps', 'api-config')).toBe(false);
    expect(await can('orders-worker', 'get', 'secrets', 'orders-queue')).toBe(false);
  });
});

describeCluster("cdk8s-plus's grant methods on the library's ConfigMap", () => {
  test('bind the Role to the workload and get its token into its pods', async () => {
    const namespace = await createNamespace('plus-grants');
    const chart = new Chart(testApp(), 'grants', { namespace });
    const config = new ConfigMap(chart, 'settings', { metadata: { name: 'settings' }, data: { A: '1' } });
    const image = 'ghcr.io/acme/worker:1.0.0';
    const reader = new Worker(chart, 'reader', { image });
    new Worker(chart, 'idle', { image });
    config.permissions.grantRead(reader);
    await serverSideApply(Testing.synth(chart) as Manifest[]);

    const core = testKubeConfig().makeApiClient(CoreV1Api);
    const podOf = (name: string) =>
      eventually(`a pod of ${name}`, async () => {
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: `app.kubernetes.io/name=${name}`,
        });
        return pods.items[0];
      });
    const tokenMounts = (pod: Awaited<ReturnType<typeof podOf>>) =>
      (pod.spec?.containers[0].volumeMounts ?? [])
        .filter((m) => m.mountPath === '/var/run/secrets/kubernetes.io/serviceaccount')
        .map((m) => pod.spec?.volumes?.find((v) => v.name === m.name)?.projected?.sources?.[0]);
    // The API server's ServiceAccount admission mounts a projected token only where the pod asks for it.
    expect(tokenMounts(await podOf('reader'))).toEqual([
      expect.objectContaining({ serviceAccountToken: expect.objectContaining({ path: 'token' }) }),
    ]);
    expect(tokenMounts(await podOf('idle'))).toEqual([]);

    const review = await testKubeConfig()
      .makeApiClient(AuthorizationV1Api)
      .createSubjectAccessReview({
        body: {
          spec: {
            user: `system:serviceaccount:${namespace}:reader`,
            resourceAttributes: { namespace, verb: 'get', resource: 'configmaps', name: 'settings' },
          },
        },
      });
    expect(review.status?.allowed).toBe(true);
  });
});

describeCluster('stable identity', () => {
  test('moving a workload to another tier and renaming its construct id keeps its name, uid and selector', async () => {
    const namespace = await createNamespace('identity');
    const image = 'ghcr.io/acme/api:1.0.0';
    const first = new AppStack(testApp(), 'shop', { namespace });
    new WebService(first.addTier('web'), 'api', { image });
    // The namespace is the test's own; the stacks' Namespace object is left out.
    const withoutNamespace = (stack: AppStack) =>
      (Testing.synth(stack) as Manifest[]).filter((o) => o.kind !== 'Namespace');
    await serverSideApply(withoutNamespace(first));
    const apps = testKubeConfig().makeApiClient(AppsV1Api);
    const before = await apps.readNamespacedDeployment({ name: 'api', namespace });

    const second = new AppStack(testApp(), 'shop', { namespace });
    new WebService(second.addTier('backend'), 'api-service', { name: 'api', image });
    await serverSideApply(withoutNamespace(second));
    const after = await apps.readNamespacedDeployment({ name: 'api', namespace });

    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.spec?.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api' } });
    expect(after.spec?.selector).toEqual(before.spec?.selector);
    expect(after.spec?.template.metadata?.labels?.['app.kubernetes.io/component']).toBe('backend');
    const service = await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'api', namespace });
    expect(service.spec?.selector).toEqual({ 'app.kubernetes.io/name': 'api' });
  });
});

describeCluster('migrating an app applied with path-hash selectors', () => {
  test('the immutable selector is named with the way out, which then replaces the pods without a gap', async () => {
    const namespace = await createNamespace('migrate');
    const apps = testKubeConfig().makeApiClient(AppsV1Api);
    const old = parseAllYaml(
      readFileSync(join(import.meta.dirname, 'data/orders-worker-path-selector.yaml'), 'utf8'),
    ).map((d) => ({ ...d, metadata: { ...d.metadata, namespace } }) as Manifest);
    await serverSideApply(old);
    const available = (uid?: string) =>
      eventually('orders-worker to run 2 available pods of its current template', async () => {
        const d = await apps.readNamespacedDeployment({ name: 'orders-worker', namespace });
        const s = d.status;
        return (uid === undefined || d.metadata?.uid !== uid) &&
          s?.observedGeneration === d.metadata?.generation &&
          s?.updatedReplicas === 2 &&
          s?.availableReplicas === 2 &&
          s?.replicas === 2
          ? d
          : undefined;
      });
    const before = await available();

    const stack = new AppStack(testApp(), 'shop', { namespace });
    new Worker(stack.addTier('workers'), 'orders-worker', {
      image: 'ghcr.io/cdk8s-devops/orders-worker:1.4.2',
      replicas: 2,
    });
    const current = (Testing.synth(stack) as Manifest[]).filter((o) => o.kind !== 'Namespace');
    const refused = await serverSideApply(current).then(
      () => undefined,
      (error: unknown) => describeFailure(error),
    );
    expect(refused).toMatch(
      /^Invalid: Deployment\.apps "orders-worker" is invalid: spec\.selector: Invalid value: .*: field is immutable; /,
    );
    expect(refused).toContain(
      'spec.selector cannot change on a live Deployment. Rerun with --recreate-on-immutable (or answer yes on a terminal) to delete just this Deployment, keeping its pods, and create it anew',
    );

    // The way out by hand (what --recreate-on-immutable does, see client-recreate): the old pods keep
    // running while the Deployment is replaced.
    await apps.deleteNamespacedDeployment({ name: 'orders-worker', namespace, propagationPolicy: 'Orphan' });
    await eventually('the old Deployment to go', async () =>
      (await apps.listNamespacedDeployment({ namespace })).items.length === 0 ? true : undefined,
    );
    const core = testKubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNamespacedPod({ namespace })).items).toHaveLength(2);
    await serverSideApply(current);
    const after = await available(before.metadata?.uid);
    expect(after.spec?.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'orders-worker' } });
    const replicaSets = (await apps.listNamespacedReplicaSet({ namespace })).items;
    // The old ReplicaSet was adopted by the new Deployment and scaled down by its rolling update.
    expect(
      replicaSets.map((rs) => [rs.metadata?.ownerReferences?.[0]?.uid, rs.spec?.replicas]).sort(),
    ).toEqual(
      [
        [after.metadata?.uid, 0],
        [after.metadata?.uid, 2],
      ].sort(),
    );
  });
});
