import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1CustomResourceDefinition } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, CONTENT_TYPES } from '../../client/api-client.js';
import YAML from 'yaml';
import { ARGO_CD_CRDS, binaryPath } from './components.js';

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

/** The CRDs that come from a component's module instead: Argo CD's ApplicationSet. */
export async function readComponentCrds(): Promise<V1CustomResourceDefinition[]> {
  const text = await readFile(binaryPath(ARGO_CD_CRDS), 'utf8');
  return YAML.parseAllDocuments(text).map((doc) => doc.toJS() as V1CustomResourceDefinition);
}

/** Server-side applies every shared CRD and the components' ones, and waits until each is Established. */
export async function installCrds(kubeconfigPath: string): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = ApiClient.fromKubeConfig(kc);
  const crds = [...(await readSharedCrds()), ...(await readComponentCrds())];
  await Promise.all(
    crds.map((crd) =>
      api.request({
        method: 'PATCH',
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata!.name}`,
        query: { fieldManager: 'cdk8s-devops-test', force: true },
        contentType: CONTENT_TYPES.apply,
        body: crd,
      }),
    ),
  );
  for (const crd of crds) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const live = await api.request<V1CustomResourceDefinition>({
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata!.name}`,
      });
      if (live.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`CRD ${crd.metadata!.name} was not Established within 30s`);
      }
      await sleep(100);
    }
  }
}
