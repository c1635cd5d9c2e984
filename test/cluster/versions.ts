/**
 * The version of every component the harness builds or reads from a Go module, pinned here and nowhere
 * else: a changed pin builds (or fetches) anew, since the version is part of each cache folder's name.
 */
export const VERSIONS = {
  kubernetes: 'v1.36.3',
  etcd: 'v3.6.16',
  kwok: 'v0.8.0',
  'argo-rollouts': 'v1.9.1',
  prometheus: 'v0.316.0',
  'tekton-pipeline': 'v1.15.0',
  'tekton-triggers': 'v0.37.0',
  /** The operator (cmd/operator) and its CRDs. */
  'prometheus-operator': 'v0.93.0',
  /**
   * Not v0.35.x, the latest: from v0.32 on, its UI is embedded from `ui/app/dist`, a generated folder the
   * module zip lacks, so it does not build from the module; v0.28.1 keeps its UI assets in the module.
   */
  alertmanager: 'v0.28.1',
  /** Flux's kustomize-controller and source-controller (test/cluster/flux.ts), and their CRDs. */
  flux: 'v1.9.6',
  /** Only its CRDs: Argo CD does not build here (its gitops-engine module fails on this Go). */
  'argo-cd': 'v3.6.1',
} as const;
