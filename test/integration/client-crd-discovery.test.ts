/**
 * A large CRD and its objects in one apply, each time on a fresh API server: the API server marks a CRD
 * Established before its discovery documents list the kind, and the apply must wait for both.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { Release } from '../../client/index.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ControlPlane } from '../cluster/control-plane.js';
import { readUpstreamCrds } from '../cluster/crds.js';
import { ON_DEMAND_CRDS } from '../cluster/upstream-crds.js';
import { describeCluster } from './cluster.js';

const ROUNDS = 20;

/** An ApplicationSet that Argo CD's CRD schema admits. */
function applicationSet(name: string): Manifest {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name, namespace: 'default' },
    spec: {
      generators: [{ list: { elements: [{ env: name }] } }],
      template: {
        metadata: { name: `${name}-{{env}}` },
        spec: {
          project: 'default',
          source: { repoURL: 'https://git.example.com/deploy.git', path: 'dist/{{env}}' },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'default' },
        },
      },
    },
  };
}

/** Applies Argo CD's 1.5 MB ApplicationSet CRD and three ApplicationSets on a fresh API server. */
async function applyOnFreshServer(crd: Manifest): Promise<string> {
  const plane = await ControlPlane.start({ apiServerOnly: true });
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(plane.kubeconfig);
    const release = Release.connect({ kubeConfig, name: 'argo-cd', namespace: 'default' });
    const manifests = [crd, ...['dev', 'staging', 'prod'].map(applicationSet)];
    const result = await release.apply(await release.changeSet(manifests));
    return result.applied.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
  } catch (error) {
    return (error as Error).message;
  } finally {
    await plane.stop();
  }
}

describeCluster('a large CRD and its objects in one apply', () => {
  test(
    `on ${ROUNDS} fresh API servers, the objects are applied once discovery serves their kind`,
    async () => {
      const [crd] = (await readUpstreamCrds(ON_DEMAND_CRDS)) as unknown as Manifest[];
      const outcomes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        outcomes.push(await applyOnFreshServer(crd));
      }
      const applied =
        'CustomResourceDefinition/applicationsets.argoproj.io, ApplicationSet/dev, ApplicationSet/staging, ApplicationSet/prod';
      expect(outcomes).toEqual(Array.from({ length: ROUNDS }, () => applied));
    },
    ROUNDS * 60_000,
  );
});
