import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { V1CustomResourceDefinition, V1CustomResourceDefinitionStatus } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, CONTENT_TYPES } from '../../client/api-client.js';
import type { Manifest } from '../../client/resources.js';
import YAML from 'yaml';
import { ARGO_CD_CRDS, binaryPath } from './components.js';
import { describeConditions, HARNESS_WAIT_MS, watchUntil } from './watch-until.js';

const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

export const SHARED_CRDS = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'crds');

/** Every upstream CRD in ../shared/crds, made installable on a cluster without the projects' webhooks. */
export async function readSharedCrds(root = SHARED_CRDS): Promise<V1CustomResourceDefinition[]> {
  const crds: V1CustomResourceDefinition[] = [];
  for (const folder of (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory())) {
    for (const file of (await readdir(join(root, folder.name))).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const text = await readFile(join(root, folder.name, file), 'utf8');
      for (const doc of YAML.parseAllDocuments(text)) {
        const crd = doc.toJS() as V1CustomResourceDefinition | null;
        if (crd?.kind === 'CustomResourceDefinition') {
          crds.push(withoutConversionWebhook(crd));
        }
      }
    }
  }
  return crds;
}

/**
 * Tekton's CRDs convert between versions through its webhook, which a test cluster does not run: serve
 * only the storage version and drop the conversion stanza (see ../shared/crds/README.md).
 */
function withoutConversionWebhook(crd: V1CustomResourceDefinition): V1CustomResourceDefinition {
  if (crd.spec.conversion?.strategy !== 'Webhook') {
    return crd;
  }
  const { conversion, ...spec } = crd.spec;
  return { ...crd, spec: { ...spec, versions: spec.versions.filter((v) => v.storage) } };
}

/**
 * The CRDs that come from a component's module instead: Argo CD's ApplicationSet (1.5 MB, four times any
 * other), installed by the test that needs it rather than by every run's setup.
 */
export async function readComponentCrds(): Promise<V1CustomResourceDefinition[]> {
  const text = await readFile(binaryPath(ARGO_CD_CRDS), 'utf8');
  return YAML.parseAllDocuments(text).map((doc) => doc.toJS() as V1CustomResourceDefinition);
}

/**
 * Server-side applies `crds` (every shared CRD unless told) and waits until each is Established,
 * watching them (see watch-until.ts for the deadline).
 */
export async function installCrds(
  kubeconfigPath: string,
  crds?: readonly V1CustomResourceDefinition[],
  timeoutMs = HARNESS_WAIT_MS,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = ApiClient.fromKubeConfig(kc);
  crds ??= await readSharedCrds();
  await Promise.all(
    crds.map((crd) =>
      api.request({
        method: 'PATCH',
        path: `${CRDS_PATH}/${crd.metadata!.name}`,
        query: { fieldManager: 'cdk8s-devops-test', force: true },
        contentType: CONTENT_TYPES.apply,
        body: crd,
      }),
    ),
  );
  await watchUntil<Manifest & { status?: Pick<V1CustomResourceDefinitionStatus, 'conditions'> }>(api, {
    path: CRDS_PATH,
    names: crds.map((crd) => crd.metadata!.name!),
    reached: (crd) =>
      crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false,
    state: 'Established',
    why: (crd) => describeConditions(crd.status?.conditions),
    timeoutMs,
  });
}
