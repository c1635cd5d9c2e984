import * as plus from '../core/plus.js';

export interface LoadBalancerOptions {
  /** Why this service must have its own cloud load balancer; recorded as the policy waiver. */
  readonly reason: string;
}

export interface NodePortOptions {
  /**
   * The port every node opens, by the name of the Service port it forwards to ("http" for a workload
   * with `port` alone), within the cluster's node port range (30000-32767 unless its API server says
   * otherwise).
   *
   * @default - a free port of the range, chosen by the cluster, for every Service port
   */
  readonly nodePorts?: Readonly<Record<string, number>>;
}

/**
 * How a Service is reached: a cluster IP, a headless Service's pod addresses, a port on every node, or a
 * cloud load balancer.
 */
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
   * A cluster IP, and a port on every node that forwards to it (type NodePort), reached from any address
   * that reaches a node: the library allows ingress from anywhere to the ports it serves.
   */
  public static nodePort(options: NodePortOptions = {}): ServiceKind {
    return new ServiceKind('node-port', plus.ServiceType.NODE_PORT, undefined, undefined, {
      ...options.nodePorts,
    });
  }

  /**
   * An external cloud load balancer of its own, reached from any address: the library allows ingress
   * from anywhere to the ports it serves, and records `reason` as the policy waiver.
   */
  public static loadBalancer(options: LoadBalancerOptions): ServiceKind {
    return new ServiceKind('load-balancer', plus.ServiceType.LOAD_BALANCER, undefined, options.reason);
  }

  private constructor(
    public readonly kind: 'cluster-ip' | 'headless' | 'node-port' | 'load-balancer',
    /** @internal */
    public readonly _type: plus.ServiceType,
    /** @internal */
    public readonly _clusterIP?: string,
    /** Why it has a load balancer of its own. */
    public readonly loadBalancerReason?: string,
    /** The node ports asked for, by Service port name. */
    public readonly nodePorts?: Readonly<Record<string, number>>,
  ) {}

  /** Whether clients outside the cluster reach the Service directly (a node port or a load balancer). */
  public get external(): boolean {
    return this.kind === 'node-port' || this.kind === 'load-balancer';
  }
}
