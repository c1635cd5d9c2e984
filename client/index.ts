/** The client's library API (replaced by the client branch's entry point when it is merged). */
export { ObjectError, StackError } from './errors.js';
export { loadKubeConfig } from './kubeconfig.js';
export type { KubeConfigOptions } from './kubeconfig.js';
export { loadManifests, objectRef } from './manifests.js';
export * from './readiness/index.js';
export { RolledBackError, Stack, WaitError } from './stack.js';
export type { DeployOptions, DeployResult, StackOptions } from './stack.js';
