import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { chartNamespace } from '../core/names.js';
import * as plus from '../core/plus.js';

export const VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
] as const;
export type Verb = (typeof VERBS)[number];

export const READ_VERBS: readonly Verb[] = ['get', 'list', 'watch'];
export const READ_WRITE_VERBS: readonly Verb[] = [...READ_VERBS, 'create', 'update', 'patch', 'delete'];

/** A workload that can be granted access: it runs as its own ServiceAccount. */
export interface IGrantee extends IConstruct {
  /**
   * The ServiceAccount the grant binds, by name. (Its name alone: cdk8s-plus's classes do not match its
   * own interfaces under `exactOptionalPropertyTypes`, and a consumer's compiler would say so.)
   */
  readonly serviceAccount: Pick<plus.IServiceAccount, 'name'>;
  /** Makes the workload's pods mount a ServiceAccount token, which they need to call the API at all. */
  enableApiAccess(): void;
}

/** The one named object that a grant opens up. */
export interface GrantedObject {
  /** The API group of the object's kind ('' for the core group). */
  readonly apiGroup: string;
  /** The plural resource name, as in RBAC rules: 'configmaps', 'secrets'. */
  readonly resource: string;
  /** The object's name: grants never reach beyond it. */
  readonly name: string;
}

/**
 * Internal (the constructs' own grant methods call it). Lets `grantee` use `verbs` on exactly one object: a Role naming that object alone, bound to the
 * grantee's ServiceAccount, both created in `scope` (the object's construct, so its namespace). Returns
 * the Role.
 */
export function grant(
  scope: IConstruct,
  target: GrantedObject,
  grantee: IGrantee,
  verbs: readonly Verb[],
): plus.k8s.KubeRole {
  const unknown = verbs.filter((v) => !(VERBS as readonly string[]).includes(v));
  if (verbs.length === 0 || unknown.length > 0) {
    invalid(
      grantee,
      `a grant on ${target.resource}/${target.name} needs known verbs, got ${show(verbs.join(','))}`,
      `Name verbs from ${VERBS.join(', ')}; wildcards are never granted`,
    );
  }
  const granteeNamespace = chartNamespace(grantee, 'a grant');
  const id = `Grant-${grantee.node.addr.slice(0, 12)}`;
  if (scope.node.tryFindChild(id)) {
    invalid(
      grantee,
      `it already has a grant on ${target.resource}/${target.name}`,
      'Grant every verb it needs in one call, for example grant(workload, [...verbs])',
    );
  }
  const name = `${grantee.serviceAccount.name}-${target.resource}-${target.name}`.slice(0, 253);
  const role = new plus.k8s.KubeRole(scope, id, {
    metadata: { name },
    rules: [
      {
        apiGroups: [target.apiGroup],
        resources: [target.resource],
        resourceNames: [target.name],
        verbs: [...verbs],
      },
    ],
  });
  new plus.k8s.KubeRoleBinding(scope, `${id}-Binding`, {
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
    subjects: [{ kind: 'ServiceAccount', name: grantee.serviceAccount.name, namespace: granteeNamespace }],
  });
  grantee.enableApiAccess();
  return role;
}

/** The grantee whose pods run as `subject` (the workload itself, its ServiceAccount or its pod resource). */
export function granteeOf(subject: unknown): IGrantee | undefined {
  if (!(subject instanceof Construct)) {
    return undefined;
  }
  return subject.node.scopes
    .reverse()
    .find((scope): scope is IGrantee & Construct => 'enableApiAccess' in scope && 'serviceAccount' in scope);
}
