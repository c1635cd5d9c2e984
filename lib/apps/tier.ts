import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { PART_OF_LABEL, TIER_LABEL } from '../core/labels.js';
import { checkDnsLabel } from '../core/names.js';
import type { AllowOptions, ExternalPeer, INetworkPeer } from '../security/network.js';
import { allowTraffic } from '../security/network.js';

/**
 * A layer of an application stack (web, app, data): the workloads created inside it carry its labels,
 * and under the namespace's default deny a tier reaches only the tiers it is allowed to.
 */
export class Tier extends Construct implements INetworkPeer {
  /** The tier that contains `scope`, if any. */
  public static of(scope: IConstruct): Tier | undefined {
    return scope.node.scopes.reverse().find((s): s is Tier => s instanceof Tier);
  }

  public readonly tierName: string;
  public readonly peerName: string;
  public readonly podSelector: Readonly<Record<string, string>>;
  public readonly ingressPorts: readonly number[] = [];

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tierName = checkDnsLabel(this, 'tier name', id);
    this.peerName = `${this.tierName}-tier`;
    this.podSelector = { [PART_OF_LABEL]: Chart.of(this).node.id, [TIER_LABEL]: this.tierName };
  }

  /** The call graph: lets every pod of this tier call each of `targets`. Returns the policies. */
  public calls(...targets: INetworkPeer[]) {
    return targets.flatMap((target) => allowTraffic(this, target));
  }

  /** Lets every pod of `peer` connect to every pod of this tier. Returns the ingress and egress policies. */
  public allowFrom(peer: INetworkPeer | ExternalPeer, options: AllowOptions = {}) {
    return allowTraffic(peer, this, options);
  }
}
