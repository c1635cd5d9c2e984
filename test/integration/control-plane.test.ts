import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { V1Deployment } from '@kubernetes/client-node';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import { ResourceCatalog } from '../../client/transport/resources.js';
import { AppsV1Api, BatchV1Api, CoreV1Api, VersionApi } from '@kubernetes/client-node';
import { binaryPath } from '../cluster/components.js';
import { VERSIONS } from '../cluster/versions.js';
import { apiError, createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';

const restrictedContainer = {
  securityContext: {
    runAsNonRoot: true,
    runAsUser: 1000,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  },
};

function deployment(name: string, image: string, replicas: number): V1Deployment {
  return {
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image, ...restrictedContainer }] },
      },
    },
  };
}

describeCluster('the test control plane', () => {
  const kc = testKubeConfig();
  const apps = kc.makeApiClient(AppsV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const api = ApiClient.fromKubeConfig(kc);
  const catalog = new ResourceCatalog(api);

  async function availableWithImage(namespace: string, name: string, image: string, replicas: number) {
    return eventually(`${name} to run ${replicas} ready pods of ${image}`, async () => {
      const d = await apps.readNamespacedDeployment({ name, namespace });
      const s = d.status;
      const done =
        s?.observedGeneration === d.metadata?.generation &&
        s?.updatedReplicas === replicas &&
        s?.readyReplicas === replicas &&
        s?.availableReplicas === replicas &&
        (s?.replicas ?? 0) === replicas;
      return done ? d : undefined;
    });
  }

  test(`/version reports Kubernetes ${VERSIONS.kubernetes}`, async () => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe(VERSIONS.kubernetes);
    expect(version.minor).toBe('36');
  });

  test(`kubectl is ${VERSIONS.kubernetes} too`, async () => {
    const { stdout } = await promisify(execFile)(binaryPath('kubectl'), [
      'version',
      '--client',
      '-o',
      'json',
    ]);
    expect(JSON.parse(stdout).clientVersion.gitVersion).toBe(VERSIONS.kubernetes);
  });

  test('a Deployment of 3 replicas becomes Available with 3 Ready pods on kwok nodes, and rolls to a new image', async () => {
    const namespace = await createNamespace('deploy');
    await apps.createNamespacedDeployment({ namespace, body: deployment('web', 'nginx:1.27.0', 3) });
    const available = await availableWithImage(namespace, 'web', 'nginx:1.27.0', 3);
    expect(available.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Available', status: 'True' }),
    );

    const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
      expect(pod.status?.phase).toBe('Running');
      expect(pod.status?.conditions).toContainEqual(
        expect.objectContaining({ type: 'Ready', status: 'True' }),
      );
    }

    await apps.patchNamespacedDeployment({
      name: 'web',
      namespace,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.27.1' }],
    });
    await availableWithImage(namespace, 'web', 'nginx:1.27.1', 3);
    const rolled = await eventually('only pods of the new image', async () => {
      const list = await core.listNamespacedPod({ namespace, labelSelector: 'app=web' });
      const live = list.items.filter((p) => !p.metadata?.deletionTimestamp);
      return live.length === 3 && live.every((p) => p.spec?.containers[0].image === 'nginx:1.27.1')
        ? live
        : undefined;
    });
    expect(rolled).toHaveLength(3);
  });

  test("a Job's pod runs to completion", async () => {
    const namespace = await createNamespace('job');
    const batch = kc.makeApiClient(BatchV1Api);
    await batch.createNamespacedJob({
      namespace,
      body: {
        metadata: { name: 'migrate' },
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'migrate', image: 'busybox:1.36', ...restrictedContainer }],
            },
          },
        },
      },
    });
    const job = await eventually('the Job to succeed', async () => {
      const j = await batch.readNamespacedJob({ name: 'migrate', namespace });
      return j.status?.succeeded === 1 ? j : undefined;
    });
    expect(job.status?.conditions).toContainEqual(
      expect.objectContaining({ type: 'Complete', status: 'True' }),
    );
  });

  test('a namespace enforcing Pod Security "restricted" rejects a privileged pod', async () => {
    const namespace = await createNamespace('psa', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const error = await apiError(
      core.createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'root' },
          spec: {
            containers: [{ name: 'root', image: 'busybox:1.36', securityContext: { privileged: true } }],
          },
        },
      }),
    );
    expect(error.code).toBe(403);
    expect(error.message).toContain('violates PodSecurity "restricted:latest": privileged');
  });

  test('the Argo Rollouts CRD schema rejects a Rollout with setWeight "ten"', async () => {
    const namespace = await createNamespace('rollout');
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'bad', namespace },
      spec: {
        selector: { matchLabels: { app: 'bad' } },
        template: {
          metadata: { labels: { app: 'bad' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.27.0' }] },
        },
        strategy: { canary: { steps: [{ setWeight: 'ten' }] } },
      },
    };
    const error = await apiError(
      api.request({
        method: 'POST',
        path: await catalog.pathOf({ ...rollout, metadata: { namespace } }),
        body: rollout,
      }),
    );
    expect(error.code).toBe(422);
    expect(error.message).toContain('spec.strategy.canary.steps[0].setWeight: Invalid value: "string"');
  });

  test('a tekton.dev/v1 Task is accepted by server-side apply', async () => {
    const namespace = await createNamespace('tekton');
    const task = {
      apiVersion: 'tekton.dev/v1',
      kind: 'Task',
      metadata: { name: 'unit-tests', namespace },
      spec: { steps: [{ name: 'test', image: 'node:20', script: 'npm test' }] },
    };
    const applied = await api.request<typeof task & { metadata: { uid?: string } }>({
      method: 'PATCH',
      path: await catalog.pathOf(task),
      query: { fieldManager: 'cdk8s-devops-test' },
      contentType: CONTENT_TYPES.apply,
      body: task,
    });
    expect(applied.metadata?.uid).toBeTruthy();
    expect(applied.spec.steps[0].script).toBe('npm test');
  });
});
