import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel } from '../core/names.js';
import * as plus from '../core/plus.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';

export interface BuildNamespaceProps {
  /** The Namespace's name. */
  readonly name: string;
  /** Why builds here may not run under "restricted" (recorded as the policy waiver). */
  readonly reason: string;
}

/** The annotation that records why a namespace enforces only Pod Security "baseline". */
export const BASELINE_WAIVER = `${WAIVER_ANNOTATION_PREFIX}pod-security-restricted`;

/**
 * A namespace for builds that cannot run under Pod Security "restricted" (kaniko runs as root; rootless
 * buildah needs privilege escalation for its user namespace): it enforces "baseline", still warns and
 * audits against "restricted", and records why. Image builds are refused anywhere else.
 */
export class BuildNamespace extends Construct {
  /** The BuildNamespace of `namespace` in the app of `scope`, if there is one. */
  public static find(scope: IConstruct, namespace: string): BuildNamespace | undefined {
    return scope.node.root.node
      .findAll()
      .find((c): c is BuildNamespace => c instanceof BuildNamespace && c.name === namespace);
  }

  /**
   * Fails the synth unless `scope`'s chart is in a BuildNamespace; `what` says what needs it.
   * Checked at synth time, so the BuildNamespace may be created after the build.
   */
  public static require(scope: Construct, what: string): void {
    scope.node.addValidation({
      validate: () => {
        const namespace = Chart.of(scope).namespace;
        if (namespace && BuildNamespace.find(scope, namespace)) {
          return [];
        }
        return [
          `${scope.node.path}: ${what}, which only a build namespace allows; namespace ${show(namespace ?? '(none)')} is not one. Create new BuildNamespace(chart, 'builds', { name: ${show(namespace ?? 'builds')}, reason: '...' }) for it, or build in a namespace that has one`,
        ];
      },
    });
  }

  public readonly name: string;
  public readonly namespace: plus.k8s.KubeNamespace;

  public constructor(scope: Construct, id: string, props: BuildNamespaceProps) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', props.name);
    if (!props.reason.trim()) {
      invalid(
        this,
        'a BuildNamespace needs a reason',
        'Say why builds here need more than "restricted", for example "kaniko builds images as root"',
      );
    }
    this.namespace = new plus.k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: {
          'pod-security.kubernetes.io/enforce': 'baseline',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
        annotations: { [BASELINE_WAIVER]: props.reason },
      },
    });
    plus.clusterScoped(this.namespace);
  }
}
