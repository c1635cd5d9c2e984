/** What a release works with, made from its options: the API client, catalog, namespace and ApplySet. */
import { userInfo } from 'node:os';
import type { ApplyContext } from './plan/apply-context.js';
import { FIELD_MANAGER } from './plan/apply-context.js';
import { ApplySet } from './plan/applyset.js';
import { checkApplySetName } from './record/revision-secret.js';
import type { ReleaseOptions } from './release-options.js';
import { ApiClient } from './transport/api-client.js';
import { contextNamespace } from './transport/kubeconfig.js';
import { ResourceCatalog } from './transport/resources.js';

/** The context of the release `options` name, and the user its revisions are recorded as. */
export function releaseContext(options: ReleaseOptions): { context: ApplyContext; user: string } {
  const api = ApiClient.fromKubeConfig(options.kubeConfig, {
    retry: options.retry,
    onWarning: options.onWarning,
  });
  const catalog = new ResourceCatalog(api);
  const namespace = options.namespace ?? contextNamespace(options.kubeConfig) ?? 'default';
  const fieldManager = options.fieldManager ?? FIELD_MANAGER;
  checkApplySetName(options.name ?? 'cdk8s-devops');
  const applySet = new ApplySet(api, catalog, {
    name: options.name ?? 'cdk8s-devops',
    namespace,
    fieldManager,
  });
  const user = options.kubeConfig.getCurrentUser()?.name ?? userInfo().username;
  return { context: { api, catalog, applySet, fieldManager, defaultNamespace: namespace }, user };
}
