// The public part of lib/security. `grant` and `allowTraffic` are internal: users grant and allow
// through the constructs (`configMap.grantRead(workload)`, `workload.allowFrom(peer)`), and the
// restricted security context is applied by every workload.
export type { GrantedObject, IGrantee, Verb } from './grants.js';
export { READ_VERBS, READ_WRITE_VERBS, VERBS } from './grants.js';
export * from './iam-identity.js';
export type { AllowOptions, INetworkPeer } from './network.js';
export { DefaultDenyNetworkPolicy, ExternalPeer } from './network.js';
export * from './policy.js';
