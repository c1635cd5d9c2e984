/**
 * The one place the library names its cdk8s-plus version: moving to a newer cdk8s-plus is a change to
 * this file alone. Everything else imports `plus` from here.
 *
 * Every setting the library needs is passed to cdk8s-plus when an object is created, except three that
 * cdk8s-plus-27 (or cdk8s itself) has no setting for at all. Each is one JSON patch, and these are the
 * only JSON patches in lib/:
 *
 * | JSON patch                                         | where                  | missing setting                                              |
 * | -------------------------------------------------- | ---------------------- | ------------------------------------------------------------ |
 * | add `<pod spec>/securityContext/seccompProfile`    | lib/apps/workload.ts   | `PodSecurityContextProps` has no `seccompProfile`            |
 * | add `<pod spec>/topologySpreadConstraints`         | lib/apps/workload.ts   | `PodScheduling` has no topology spread (only (anti-)affinity) |
 * | remove `/metadata/namespace` of the Namespace      | lib/apps/app-stack.ts  | cdk8s stamps the chart's namespace on every object, even a cluster-scoped one, and `ApiObjectMetadata` cannot unset it |
 *
 * Drop a row when cdk8s-plus gains the setting.
 */
export * from 'cdk8s-plus-27';
