import type { ChartProps } from 'cdk8s';
import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { PART_OF_LABEL } from '../core/labels.js';
import { checkDnsLabel } from '../core/names.js';
import * as plus from '../core/plus.js';
import { DefaultDenyNetworkPolicy } from '../security/network.js';
import { RESTRICTED_NAMESPACE_LABELS } from '../security/pod-security.js';
import { Tier } from './tier.js';

export interface AppStackProps extends ChartProps {
  /** The namespace the stack owns: created by the stack, locked down, and holding every object. */
  readonly namespace: string;
}

/**
 * An application stack in one chart and one namespace, in layers: the namespace enforces Pod Security
 * "restricted" and denies all traffic by default; each tier (`addTier`) is then opened to exactly the
 * tiers it names.
 */
export class AppStack extends Chart {
  public readonly namespaceObject: plus.k8s.KubeNamespace;
  public readonly networkPolicy: DefaultDenyNetworkPolicy;

  public constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, { ...props, labels: { [PART_OF_LABEL]: id, ...props.labels } });
    checkDnsLabel(this, 'namespace', props.namespace);
    this.namespaceObject = new plus.k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: props.namespace, labels: { ...RESTRICTED_NAMESPACE_LABELS } },
    });
    plus.clusterScoped(this.namespaceObject);
    this.networkPolicy = new DefaultDenyNetworkPolicy(this, 'DefaultDeny');
  }

  /** Adds a tier; workloads created inside it are labelled with the tier and reach what it is allowed to. */
  public addTier(name: string): Tier {
    return new Tier(this, name);
  }
}
