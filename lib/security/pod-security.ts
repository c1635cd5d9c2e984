/**
 * Pod Security "restricted", as the API server's PodSecurity admission checks it: what every workload of
 * the library runs with unless a prop says otherwise. Internal: the constructs apply it, users never
 * need to.
 */
import type * as plus from '../core/plus.js';

/**
 * The container security context of the restricted profile. cdk8s-plus-27's Capability enum has no
 * "ALL"; its `capabilities.drop` setting carries the string through unchanged.
 */
export const RESTRICTED_CONTAINER: plus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL' as plus.Capability] },
};

/**
 * The capabilities "restricted" lets a container add back after dropping them all: binding a port below
 * 1024 as a non-root user.
 */
export const RESTRICTED_ALLOWED_CAPABILITIES = ['NET_BIND_SERVICE'] as const;

/** The pod's seccomp profile, which cdk8s-plus-27 has no setting for (see lib/core/plus.ts). */
export const RESTRICTED_SECCOMP_PROFILE = { type: 'RuntimeDefault' } as const;

/** The labels that make a namespace enforce, warn about and audit the restricted profile. */
export const RESTRICTED_NAMESPACE_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
} as const;
