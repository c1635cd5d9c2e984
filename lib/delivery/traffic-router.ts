import type { RolloutSpecStrategyCanaryTrafficRouting } from '../../imports/argoproj.io.js';

export const TRAFFIC_PROVIDERS = ['nginx', 'alb'] as const;
export type TrafficProvider = (typeof TRAFFIC_PROVIDERS)[number];

export interface AlbRouterOptions {
  /**
   * The Service port the ALB Ingress routes to.
   *
   * @default - the WebService's servicePort
   */
  readonly servicePort?: number;
}

/**
 * Splits traffic by exact weights at the ingress, instead of approximating weights with replica counts.
 * Both providers route between a stable and a canary Service, which the strategy creates.
 */
export class TrafficRouter {
  /** The NGINX Ingress Controller: a canary Ingress beside the stable one, with canary-weight annotations. */
  public static nginx(): TrafficRouter {
    return new TrafficRouter('nginx', {});
  }

  /** The AWS Load Balancer Controller: weighted target groups in the ALB Ingress's forward action. */
  public static alb(options: AlbRouterOptions = {}): TrafficRouter {
    return new TrafficRouter('alb', options);
  }

  private constructor(
    public readonly provider: TrafficProvider,
    private readonly albOptions: AlbRouterOptions,
  ) {}

  /** @internal */
  public _toTrafficRouting(
    ingressName: string,
    servicePort: number,
  ): RolloutSpecStrategyCanaryTrafficRouting {
    return this.provider === 'nginx'
      ? { nginx: { stableIngress: ingressName } }
      : { alb: { ingress: ingressName, servicePort: this.albOptions.servicePort ?? servicePort } };
  }
}
