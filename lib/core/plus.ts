/**
 * The one place the library names its cdk8s-plus version: moving to a newer cdk8s-plus is a change to
 * this file alone. Everything else imports `plus` from here.
 *
 * Every setting the library needs is passed to cdk8s-plus when an object is created, except four that
 * cdk8s-plus-27 (or cdk8s itself) has no setting for at all. Each is one JSON patch, and these are the
 * only JSON patches in lib/:
 *
 * | JSON patch                                         | where                  | missing setting                                              |
 * | -------------------------------------------------- | ---------------------- | ------------------------------------------------------------ |
 * | add `<pod spec>/securityContext/seccompProfile`    | lib/apps/workload.ts   | `PodSecurityContextProps` has no `seccompProfile`            |
 * | add `<pod spec>/topologySpreadConstraints`         | lib/apps/workload.ts   | `PodScheduling` has no topology spread (only (anti-)affinity) |
 * | remove `/metadata/namespace` of cluster-scoped objects (`clusterScoped` below: Namespaces, ClusterRoles, ClusterRoleBindings) | lib/apps/app-stack.ts, lib/pipelines | cdk8s stamps the chart's namespace on every object, even a cluster-scoped one, and `ApiObjectMetadata` cannot unset it |
 * | add `restartPolicy: Always` to a native sidecar     | lib/monitoring/sidecars.ts | cdk8s-plus-27's bindings are Kubernetes 1.27's, whose Container has no `restartPolicy` (1.28) |
 *
 * Drop a row when cdk8s-plus gains the setting.
 */
import type { ApiObject } from 'cdk8s';
import { JsonPatch } from 'cdk8s';

export * from 'cdk8s-plus-27';

/** `object` without the namespace its chart stamps on it: cluster-scoped kinds have none. */
export function clusterScoped<T extends ApiObject>(object: T): T {
  object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return object;
}
