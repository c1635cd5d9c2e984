/** The shop's release chart, synthesized for a test in namespaces of its own and applied to the test cluster. */
import { randomBytes } from 'node:crypto';
import { Chart } from 'cdk8s';
import { CoreV1Api } from '@kubernetes/client-node';
import { ShopChart } from '../../charts/shop-chart.js';
import { ShopReleaseChart } from '../../charts/shop-release-chart.js';
import type { Manifest } from '../../client/transport/resources.js';
import { FAIL_STEPS_ANNOTATION, RESULTS_ANNOTATION } from '../cluster/tekton.js';
import { testApp } from '../util/synth.js';
import { serverSideApply, testKubeConfig } from './cluster.js';

export const COMMIT = '3f786850e387550fdab836ed7e6dc881de23001b';
export const DIGEST = (name: string) => `sha256:${Buffer.from(name.padEnd(32, '0')).toString('hex')}`;

/** What each Task's pod reports, as kwok plays it. */
const RESULTS: Record<string, Record<string, string>> = {
  'shop-source': { commit: COMMIT, url: 'https://github.com/cdk8s-devops/shop.git' },
  'api-build': {
    BUILD_VERSION: '1.4.2-3f78685',
    'report-unit-tests': 'tests=12 failures=0 errors=0 skipped=0',
  },
  'storefront-build': {
    BUILD_VERSION: '1.4.2-3f78685',
    'report-unit-tests': 'tests=8 failures=0 errors=0 skipped=0',
  },
  'api-image': { IMAGE_DIGEST: DIGEST('api'), IMAGE_URL: `ghcr.io/cdk8s-devops/api:${COMMIT}` },
  'storefront-image': {
    IMAGE_DIGEST: DIGEST('storefront'),
    IMAGE_URL: `ghcr.io/cdk8s-devops/storefront:${COMMIT}`,
  },
  deploy: { revision: '1' },
};

/** The shop release chart in fresh namespaces, with a PipelineRun of COMMIT, and kwok's annotations. */
export function synthShopRelease(failSteps: Record<string, string> = {}) {
  const suffix = randomBytes(3).toString('hex');
  const app = testApp();
  const shop = new ShopChart(app, 'shop', { namespace: `shop-${suffix}` });
  const release = new ShopReleaseChart(app, 'shop-release', { shop, namespace: `shop-builds-${suffix}` });
  const runs = new Chart(app, 'runs', { namespace: release.namespace });
  release.pipeline.runFor(runs, 'run', COMMIT, { workspaces: { source: { emptyDir: true } } });
  const objects = [...release.toJson(), ...runs.toJson()] as Manifest[];
  for (const task of objects.filter((o) => o.kind === 'Task')) {
    const annotations: Record<string, string> = { ...(task.metadata.annotations ?? {}) };
    const results = RESULTS[task.metadata.name] ?? {};
    annotations[RESULTS_ANNOTATION] = Object.entries(results)
      .map(([key, value]) => JSON.stringify({ key, value, type: 1 }))
      .join(',');
    if (failSteps[task.metadata.name]) {
      annotations[FAIL_STEPS_ANNOTATION] = failSteps[task.metadata.name];
    }
    (task.metadata as { annotations?: Record<string, string> }).annotations = annotations;
  }
  return {
    objects,
    namespace: release.namespace!,
    shopNamespace: shop.namespace!,
    run: objects.find((o) => o.kind === 'PipelineRun')!,
  };
}

/**
 * Applies the chart's objects (the shop namespace first, for the deploy's Role), binds each build cache
 * claim to a PersistentVolume (the test cluster has no provisioner), then the PipelineRun last.
 */
export async function applyRelease(
  release: ReturnType<typeof synthShopRelease>,
  options: { withRun?: boolean } = {},
): Promise<void> {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: release.shopNamespace } } });
  const ordered = [
    ...release.objects.filter((o) => o.kind === 'Namespace'),
    ...release.objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'PipelineRun'),
  ];
  await serverSideApply(ordered);
  for (const claim of release.objects.filter((o) => o.kind === 'PersistentVolumeClaim')) {
    await core.createPersistentVolume({
      body: {
        metadata: { name: `${release.namespace}-${claim.metadata.name}` },
        spec: {
          capacity: { storage: '5Gi' },
          accessModes: ['ReadWriteOnce'],
          hostPath: { path: `/tmp/${claim.metadata.name}` },
          claimRef: { namespace: release.namespace, name: claim.metadata.name },
        },
      },
    });
  }
  if (options.withRun ?? true) {
    await serverSideApply([release.run]);
  }
}
