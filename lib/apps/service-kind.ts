import * as plus from '../core/plus.js';

export interface LoadBalancerOptions {
  /** Why this service must have its own cloud load balancer; recorded as the policy waiver. */
  readonly reason: string;
}

/** How a Service is reached: a cluster IP, a headless Service's pod addresses, or a cloud load balancer. */
export class ServiceKind {
  /** A virtual IP inside the cluster that balances over the ready pods. */
  public static clusterIp(): ServiceKind {
    return new ServiceKind('cluster-ip', plus.ServiceType.CLUSTER_IP);
  }

  /**
   * No virtual IP: DNS answers with the pods' own addresses, and a StatefulSet's pods get stable names
   * (`db-0.db`), for clients that pick their peer themselves.
   */
  public static headless(): ServiceKind {
    return new ServiceKind('headless', plus.ServiceType.CLUSTER_IP, 'None');
  }

  /**
   * An external cloud load balancer of its own, reached from any address: the library allows ingress
   * from anywhere to the ports it serves, and records `reason` as the policy waiver.
   */
  public static loadBalancer(options: LoadBalancerOptions): ServiceKind {
    return new ServiceKind('load-balancer', plus.ServiceType.LOAD_BALANCER, undefined, options.reason);
  }

  private constructor(
    public readonly kind: 'cluster-ip' | 'headless' | 'load-balancer',
    /** @internal */
    public readonly _type: plus.ServiceType,
    /** @internal */
    public readonly _clusterIP?: string,
    /** Why it has a load balancer of its own. */
    public readonly loadBalancerReason?: string,
  ) {}
}
