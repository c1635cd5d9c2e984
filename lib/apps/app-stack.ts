import type { ChartProps } from 'cdk8s';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { PART_OF_LABEL } from '../core/labels.js';
import { checkDnsLabel } from '../core/names.js';
import * as plus from '../core/plus.js';
import { DefaultDenyNetworkPolicy } from '../security/network.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../security/pod-security.js';
import { Tier } from './tier.js';

export interface AppStackProps extends ChartProps {
  /**
   * The namespace the stack owns: created by the stack, locked down, and holding every object.
   *
   * @default - the namespace of `platform`
   */
  readonly namespace?: string;
  /**
   * The stack that owns the namespace (a `PlatformChart`, for one): this stack puts its objects in that
   * namespace and uses its Namespace, default-deny and DNS policies instead of making its own, and is
   * applied after it.
   *
   * @default - the stack owns its namespace
   */
  readonly platform?: AppStack;
}

/**
 * An application stack in one chart and one namespace, in layers: the namespace enforces Pod Security
 * "restricted" and denies all traffic by default; each tier (`addTier`) is then opened to exactly the
 * tiers it names. With `platform`, another stack owns the namespace and its policies, and this one uses
 * them.
 */
export class AppStack extends Chart {
  /** The Namespace, this stack's own or its platform's. */
  public readonly namespaceObject: plus.k8s.KubeNamespace;
  /** The default-deny and DNS policies, this stack's own or its platform's. */
  public readonly networkPolicy: DefaultDenyNetworkPolicy;

  public constructor(scope: Construct, id: string, props: AppStackProps) {
    const namespace = props.namespace ?? props.platform?.namespace;
    super(scope, id, { ...props, namespace, labels: { [PART_OF_LABEL]: id, ...props.labels } });
    if (props.platform) {
      if (props.namespace !== undefined && props.namespace !== props.platform.namespace) {
        invalid(
          this,
          `namespace is ${show(props.namespace)}, but the platform ${props.platform.node.path} owns ${show(props.platform.namespace)}`,
          "Leave namespace out: the stack takes the platform's",
        );
      }
      this.namespaceObject = props.platform.namespaceObject;
      this.networkPolicy = props.platform.networkPolicy;
      this.addDependency(props.platform);
      return;
    }
    if (namespace === undefined) {
      invalid(
        this,
        'neither namespace nor platform is set',
        'Set the namespace the stack owns, or its platform',
      );
    }
    checkDnsLabel(this, 'namespace', namespace);
    this.namespaceObject = new plus.k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: namespace, labels: { ...RESTRICTED_NAMESPACE_LABELS } },
    });
    plus.clusterScoped(this.namespaceObject);
    this.networkPolicy = new DefaultDenyNetworkPolicy(this, 'DefaultDeny');
  }

  /** Adds a tier; workloads created inside it are labelled with the tier and reach what it is allowed to. */
  public addTier(name: string): Tier {
    return new Tier(this, name);
  }
}
