/**
 * Pod Security "restricted", as the API server's PodSecurity admission checks it: what every workload of
 * the library runs with unless a prop says otherwise.
 */
import type * as plus from '../core/plus.js';

/** The container security context of the restricted profile, as far as cdk8s-plus-27 can say it. */
export const RESTRICTED_CONTAINER: plus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  privileged: false,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
};

/**
 * What cdk8s-plus-27 cannot say, written into the pod spec with JSON patches: its Capability enum has no
 * "ALL" and it has no seccomp prop.
 */
export const RESTRICTED_CAPABILITIES = { drop: ['ALL'] } as const;
export const RESTRICTED_SECCOMP_PROFILE = { type: 'RuntimeDefault' } as const;

/** The labels that make a namespace enforce, warn about and audit the restricted profile. */
export const RESTRICTED_NAMESPACE_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/warn': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
} as const;
