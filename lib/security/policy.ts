/**
 * Policy checks at synth time: every synthesized object is held against the rules below, and a synth
 * with a violation fails with a report that names the object, the rule and the fix. A rule can be waived
 * for one object with the annotation `policy.cdk8s-devops.io/waive-<rule>: "<reason>"`.
 */
import type { IConstruct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { imagePinProblem } from '../core/image.js';
import { RESTRICTED_ALLOWED_CAPABILITIES } from './pod-security.js';

export const WAIVER_ANNOTATION_PREFIX = 'policy.cdk8s-devops.io/waive-';

/** A synthesized object, as plain JSON. */
export interface SynthesizedObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly [key: string]: unknown;
}

export interface PolicyRule {
  /** The rule's id, as used in waiver annotations. */
  readonly id: string;
  /** How to comply. */
  readonly fix: string;
  /** The problems `object` has under this rule; empty when it complies. */
  check(object: SynthesizedObject): string[];
}

export interface PolicyViolation {
  readonly object: SynthesizedObject;
  /** The construct path of the object. */
  readonly path: string;
  readonly rule: PolicyRule;
  readonly problem: string;
}

interface SeccompHolder {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly seccompProfile?: { readonly type?: string };
}

interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly securityContext?: SeccompHolder & {
    readonly privileged?: boolean;
    readonly allowPrivilegeEscalation?: boolean;
    readonly capabilities?: { readonly add?: readonly string[]; readonly drop?: readonly string[] };
  };
  readonly resources?: { readonly limits?: Readonly<Record<string, unknown>> };
}

interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
  readonly ephemeralContainers?: readonly Container[];
  readonly securityContext?: SeccompHolder;
  readonly volumes?: readonly { readonly name: string; readonly hostPath?: unknown }[];
  readonly hostNetwork?: boolean;
  readonly hostPID?: boolean;
  readonly hostIPC?: boolean;
}

interface PodTemplateHolder {
  readonly template?: { readonly spec?: PodSpec };
  readonly jobTemplate?: { readonly spec?: { readonly template?: { readonly spec?: PodSpec } } };
}

/** The pod spec of a Pod or of anything with a pod template, wherever the kind keeps it. */
function podSpecOf(object: SynthesizedObject): PodSpec | undefined {
  if (object.kind === 'Pod') {
    return object.spec as PodSpec | undefined;
  }
  const spec = object.spec as PodTemplateHolder | undefined;
  return object.kind === 'CronJob' ? spec?.jobTemplate?.spec?.template?.spec : spec?.template?.spec;
}

/** Every container of the pod: init containers (native sidecars among them), containers, ephemeral ones. */
function containersOf(object: SynthesizedObject): Container[] {
  const pod = podSpecOf(object);
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? []), ...(pod?.ephemeralContainers ?? [])];
}

/** What Pod Security "restricted" refuses in a container, beyond privilege (its own rule). */
function restrictedProblems(container: Container, pod: PodSpec | undefined): string[] {
  const c = container.securityContext;
  const p = pod?.securityContext;
  const name = `container "${container.name}"`;
  const problems: string[] = [];
  if (!c?.capabilities?.drop?.includes('ALL')) {
    problems.push(`${name} does not drop every capability (capabilities.drop lacks "ALL")`);
  }
  for (const added of c?.capabilities?.add ?? []) {
    if (!(RESTRICTED_ALLOWED_CAPABILITIES as readonly string[]).includes(added)) {
      problems.push(`${name} adds the capability "${added}"`);
    }
  }
  if ((c?.runAsNonRoot ?? p?.runAsNonRoot) !== true || (c?.runAsUser ?? p?.runAsUser) === 0) {
    problems.push(`${name} may run as root (runAsNonRoot is not true, or runAsUser is 0)`);
  }
  const seccomp = c?.seccompProfile?.type ?? p?.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
    problems.push(`${name} has no seccomp profile RuntimeDefault or Localhost, on itself or the pod`);
  }
  return problems;
}

function perContainer(object: SynthesizedObject, problem: (c: Container) => string | undefined): string[] {
  return containersOf(object).flatMap((c) => problem(c) ?? []);
}

export const POLICY_RULES: readonly PolicyRule[] = [
  {
    id: 'privileged',
    fix: 'set securityContext.privileged: false and allowPrivilegeEscalation: false on the container',
    check: (o) =>
      perContainer(o, (c) =>
        c.securityContext?.privileged === true
          ? `container "${c.name}" is privileged`
          : c.securityContext?.allowPrivilegeEscalation !== false
            ? `container "${c.name}" may escalate privileges (allowPrivilegeEscalation is not false)`
            : undefined,
      ),
  },
  {
    id: 'pod-security-restricted',
    fix: 'drop every capability (capabilities.drop: [ALL]), set runAsNonRoot: true and seccompProfile type RuntimeDefault, on the container or the pod',
    check: (o) => containersOf(o).flatMap((c) => restrictedProblems(c, podSpecOf(o))),
  },
  {
    id: 'host-namespaces',
    fix: 'remove hostNetwork, hostPID and hostIPC from the pod spec',
    check: (o) => {
      const pod = podSpecOf(o);
      return (['hostNetwork', 'hostPID', 'hostIPC'] as const)
        .filter((f) => pod?.[f] === true)
        .map((f) => `the pod sets ${f}: true`);
    },
  },
  {
    id: 'host-path',
    fix: 'use an emptyDir, ConfigMap, Secret or PersistentVolumeClaim volume instead',
    check: (o) =>
      (podSpecOf(o)?.volumes ?? [])
        .filter((v) => v.hostPath)
        .map((v) => `volume "${v.name}" mounts a hostPath`),
  },
  {
    id: 'resource-limits',
    fix: 'set resources.limits.cpu and resources.limits.memory on the container',
    check: (o) =>
      perContainer(o, (c) => {
        const missing = ['cpu', 'memory'].filter((r) => c.resources?.limits?.[r] === undefined);
        return missing.length ? `container "${c.name}" has no ${missing.join(' or ')} limit` : undefined;
      }),
  },
  {
    id: 'image-pinned',
    fix: 'pin the image to a version tag or a digest',
    check: (o) =>
      perContainer(o, (c) => {
        const problem = c.image === undefined ? 'untagged' : imagePinProblem(c.image);
        return problem === 'untagged'
          ? `container "${c.name}" image "${c.image}" has no tag or digest`
          : problem === 'latest'
            ? `container "${c.name}" image "${c.image}" uses the moving tag "latest"`
            : undefined;
      }),
  },
  {
    id: 'rbac-wildcard',
    fix: 'name the API groups, resources and verbs the role needs',
    check: (o) => {
      if (o.kind !== 'Role' && o.kind !== 'ClusterRole') {
        return [];
      }
      const rules = (o.rules ?? []) as { apiGroups?: string[]; resources?: string[]; verbs?: string[] }[];
      return rules.flatMap((rule, i) =>
        (['apiGroups', 'resources', 'verbs'] as const)
          .filter((field) => rule[field]?.includes('*'))
          .map((field) => `rule ${i} grants every one of its ${field} ("*")`),
      );
    },
  },
  {
    id: 'secret-literal-data',
    fix: 'keep secret values out of the chart: refer to a Secret made elsewhere (ExistingSecret)',
    check: (o) =>
      o.kind === 'Secret' &&
      (Object.keys(o.data ?? {}).length > 0 || Object.keys(o.stringData ?? {}).length > 0)
        ? ['the Secret carries literal data in the chart']
        : [],
  },
  {
    id: 'load-balancer',
    fix: 'use type ClusterIP behind an Ingress, or opt in with WebService loadBalancer: { reason }',
    check: (o) =>
      o.kind === 'Service' && (o.spec as { type?: string } | undefined)?.type === 'LoadBalancer'
        ? ['the Service is of type LoadBalancer, which provisions a cloud load balancer of its own']
        : [],
  },
];

/** Every violation of `rules` by `objects` that no waiver annotation excuses. */
export function findViolations(
  objects: readonly { readonly path: string; readonly object: SynthesizedObject }[],
  rules: readonly PolicyRule[] = POLICY_RULES,
): PolicyViolation[] {
  return objects.flatMap(({ path, object }) =>
    rules.flatMap((rule) => {
      const waiver = object.metadata?.annotations?.[`${WAIVER_ANNOTATION_PREFIX}${rule.id}`];
      if (waiver !== undefined) {
        return waiver.trim()
          ? []
          : [{ object, path, rule, problem: 'the waiver annotation gives no reason' }];
      }
      return rule.check(object).map((problem) => ({ object, path, rule, problem }));
    }),
  );
}

/** One line per violation: the object, its construct path, the rule, the problem and the fix. */
export function formatViolation(v: PolicyViolation): string {
  const name = `${v.object.kind}/${v.object.metadata?.name}`;
  return (
    `${name} (${v.path}) breaks policy "${v.rule.id}": ${v.problem}. Fix: ${v.rule.fix}, ` +
    `or waive it with the annotation ${WAIVER_ANNOTATION_PREFIX}${v.rule.id}: "<reason>"`
  );
}

/** Holds every ApiObject under `root` against the rules; returns one message per violation. */
export function checkPolicies(root: IConstruct, rules: readonly PolicyRule[] = POLICY_RULES): string[] {
  const objects = root.node
    .findAll()
    .filter((c) => ApiObject.isApiObject(c))
    .map((o) => ({ path: o.node.path, object: o.toJson() as SynthesizedObject }));
  return findViolations(objects, rules).map(formatViolation);
}
