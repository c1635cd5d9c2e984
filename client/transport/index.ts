/**
 * Transport: talking to one cluster. Cluster access the kubectl way (kubeconfig, context, exec plugins),
 * JSON over HTTPS with retries and typed failures, the catalog of the kinds the server serves, object
 * identity (`objectRef`), and paged lists. Every other stage sends its requests through here.
 */
export type { KubernetesStatus, RetryPolicy } from './api-client.js';
export { ApiError, ConnectionError, TlsError, UnauthorizedError } from './api-client.js';
export type { KubeConfigOptions } from './kubeconfig.js';
export { loadKubeConfig } from './kubeconfig.js';
export type { Manifest } from './resources.js';
export { objectRef } from './resources.js';
