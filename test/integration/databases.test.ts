/**
 * Databases under Pod Security "restricted" on the real control plane: an image that runs as root passes
 * synth (synth cannot know an image's user) and is stopped by the kubelet; the client's wait reports the
 * kubelet's error as such, with the fix. The test nodes are simulated (kwok runs no container), so the
 * test binds the pod to a node no kwok manages and writes its status as that node's kubelet would.
 */
import { Chart, Size } from 'cdk8s';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { StatefulService } from '../../lib/apps/stateful-service.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../../lib/security/pod-security.js';
import { testApp } from '../util/synth.js';
import { cli, writeManifests } from './client-cli.js';
import { createNamespace, describeCluster, eventually, testKubeConfig } from './cluster.js';

/** The kubelet's message for a container whose image runs as root under runAsNonRoot (kuberuntime). */
const kubeletMessage = (pod: string, namespace: string, uid: string) =>
  `Error: container has runAsNonRoot and image will run as root (pod: "${pod}_${namespace}(${uid})", container: postgres)`;

describeCluster('databases under restricted', () => {
  test("the wait reports the kubelet's CreateContainerConfigError for a root image, with the fix", async () => {
    const namespace = await createNamespace('databases', { ...RESTRICTED_NAMESPACE_LABELS });
    const chart = new Chart(testApp(), 'databases', { namespace });
    // No runAsUser: the postgres image would start as root.
    new StatefulService(chart, 'postgres', {
      image: 'postgres:16.4',
      port: 5432,
      volumeClaims: [{ name: 'data', mountPath: '/var/lib/postgresql/data', storage: Size.gibibytes(1) }],
    });
    const manifests = chart.toJson() as Manifest[];
    // The test plays the kubelet of a node kwok does not manage, so kwok never marks the pod ready.
    const statefulSet = manifests.find((m) => m.kind === 'StatefulSet') as unknown as {
      spec: { template: { spec: { nodeName?: string } } };
    };
    statefulSet.spec.template.spec.nodeName = 'node-played-by-the-test';
    const file = await writeManifests(manifests);
    const apply = await cli(['apply', file, '-n', namespace, '--applyset', 'databases', '--yes']);
    expect(apply.code).toBe(0);

    const api = ApiClient.fromKubeConfig(testKubeConfig());
    const pod = await eventually('the pod postgres-0', async () => {
      return api
        .request<{ metadata: { uid: string } }>({
          method: 'GET',
          path: `/api/v1/namespaces/${namespace}/pods/postgres-0`,
        })
        .catch(() => undefined);
    });
    const message = kubeletMessage('postgres-0', namespace, pod.metadata.uid);
    await api.request({
      method: 'PATCH',
      path: `/api/v1/namespaces/${namespace}/pods/postgres-0/status`,
      contentType: CONTENT_TYPES.merge,
      body: {
        status: {
          phase: 'Pending',
          conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
          containerStatuses: [
            {
              name: 'postgres',
              image: 'postgres:16.4',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { waiting: { reason: 'CreateContainerConfigError', message } },
            },
          ],
        },
      },
    });

    const watch = await cli(['watch', file, '-n', namespace, '--applyset', 'databases', '--timeout', '60s']);
    expect(watch.code).toBe(1);
    expect(watch.stdout).toContain(`StatefulSet/${namespace}/postgres`);
    expect(watch.stdout + watch.stderr).toContain(
      `pod postgres-0: container postgres: CreateContainerConfigError: ${message}; set runAsUser (and runAsGroup, fsGroup) on the workload to the image's own non-root user, 999 for the official postgres (70 for its alpine tags), mysql, mongo, redis and rabbitmq images (docs/apps.md: "Databases under restricted")`,
    );
  });
});
