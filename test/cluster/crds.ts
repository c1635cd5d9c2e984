import type { V1CustomResourceDefinition, V1CustomResourceDefinitionStatus } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { ResourceCatalog } from '../../client/transport/resources.js';
import { parseAllYaml } from '../util/yaml.js';
import { allCrdReferences, ON_DEMAND_CRDS, readUpstreamCrd } from './upstream-crds.js';
import { describeConditions, HARNESS_WAIT_MS, watchUntil } from './watch-until.js';

const CRDS_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

/**
 * The upstream CRDs named (`<project>/<file>`, every one but the on-demand ones unless told), made
 * installable on a cluster without the projects' webhooks.
 */
export async function readUpstreamCrds(
  references: readonly string[] = allCrdReferences().filter((r) => !ON_DEMAND_CRDS.includes(r)),
): Promise<V1CustomResourceDefinition[]> {
  const texts = await Promise.all(references.map(readUpstreamCrd));
  return texts.flatMap((text) =>
    parseAllYaml(text)
      .filter((crd): crd is V1CustomResourceDefinition => crd?.kind === 'CustomResourceDefinition')
      .map(withoutConversionWebhook),
  );
}

/**
 * Tekton's CRDs convert between versions through its webhook, which a test cluster does not run: serve
 * only the storage version and drop the conversion stanza.
 */
function withoutConversionWebhook(crd: V1CustomResourceDefinition): V1CustomResourceDefinition {
  if (crd.spec.conversion?.strategy !== 'Webhook') {
    return crd;
  }
  const { conversion, ...spec } = crd.spec;
  return { ...crd, spec: { ...spec, versions: spec.versions.filter((v) => v.storage) } };
}

/**
 * Server-side applies `crds` (every upstream CRD but the on-demand ones unless told) and waits until each
 * is Established, watching them (see watch-until.ts for the deadline), and then until discovery serves
 * their kinds, as the client's apply does.
 */
export async function installCrds(
  kubeconfigPath: string,
  crds?: readonly V1CustomResourceDefinition[],
  timeoutMs = HARNESS_WAIT_MS,
): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const api = ApiClient.fromKubeConfig(kc);
  crds ??= await readUpstreamCrds();
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
  await new ResourceCatalog(api).waitUntilServed(crds as unknown as Manifest[], timeoutMs);
}
