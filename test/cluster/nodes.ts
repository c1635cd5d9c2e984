import type { V1NodeCondition } from '@kubernetes/client-node';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { describeConditions, watchUntil } from './watch-until.js';

export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;

/**
 * Creates `count` Nodes that kwok manages (the `kwok.x-k8s.io/node: fake` annotation) and waits until
 * they are Ready (watched; see watch-until.ts). They carry no taint, so every pod can land on them, and zone labels for topology spread.
 */
export async function createNodes(kubeconfigPath: string, count: number): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  // Ephemeral storage too: the scheduler counts a resource a node does not declare as none. The tests
  // leave their namespaces behind, so a whole run's pods accumulate: a kubelet's 110 a node ran out.
  const capacity = { cpu: '32', memory: '256Gi', 'ephemeral-storage': '100Gi', pods: '1000' };
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${i}`);
  await Promise.all(
    names.map((name, i) =>
      core.createNode({
        body: {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name,
            annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
            labels: {
              'kubernetes.io/arch': 'amd64',
              'kubernetes.io/os': 'linux',
              'kubernetes.io/hostname': name,
              'topology.kubernetes.io/zone': ZONES[i % ZONES.length],
              type: 'kwok',
            },
          },
          status: { allocatable: capacity, capacity },
        },
      }),
    ),
  );
  await watchUntil<Manifest & { status?: { conditions?: V1NodeCondition[] } }>(ApiClient.fromKubeConfig(kc), {
    path: '/api/v1/nodes',
    names,
    reached: (node) =>
      node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    state: 'Ready',
    why: (node) => describeConditions(node.status?.conditions),
  });
}
