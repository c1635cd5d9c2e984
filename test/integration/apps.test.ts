import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppsV1Api, AuthorizationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { Chart, Testing } from 'cdk8s';
import { ShopChart } from '../../charts/shop-chart.js';
import type { Manifest } from '../../client/resources.js';
import { ConfigMap } from '../../lib/apps/config-map.js';
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

  test('every Deployment becomes available with Ready pods on kwok nodes', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    // The storefront's and the api's pods are run by Argo Rollouts from their Deployments' templates;
    // the test cluster runs no Argo controller, so the test scales those templates up itself, which
    // puts the same pods through the namespace's Pod Security enforcement.
    for (const name of ['storefront', 'api']) {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      expect(d.spec?.replicas).toBe(0);
      await apps.patchNamespacedDeploymentScale({
        name,
        namespace,
        body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
      });
    }
    for (const name of ['storefront', 'api', 'orders-worker']) {
      const deployment = await eventually(`${name} to be available`, async () => {
        const d = await apps.readNamespacedDeployment({ name, namespace });
        const s = d.status;
        return s?.observedGeneration === d.metadata?.generation &&
          (s?.readyReplicas ?? 0) >= 1 &&
          s?.readyReplicas === d.spec?.replicas
          ? d
          : undefined;
      });
      const selector = Object.entries(deployment.spec!.selector.matchLabels!)
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      const pods = await core.listNamespacedPod({ namespace, labelSelector: selector });
      expect(pods.items.length).toBe(deployment.spec?.replicas);
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
