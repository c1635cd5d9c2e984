import type { Construct } from 'constructs';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';
import type { WorkerProps } from './worker.js';
import { Worker } from './worker.js';

export interface IngressOptions {
  /** The host name the Ingress serves. */
  readonly host: string;
  /**
   * The path prefix routed to the service.
   *
   * @default '/'
   */
  readonly path?: string;
  /**
   * The IngressClass (the controller) that serves it.
   *
   * @default - the cluster's default IngressClass
   */
  readonly className?: string;
  /**
   * The Secret holding the TLS certificate for the host.
   *
   * @default - plain HTTP
   */
  readonly tlsSecretName?: string;
}

export interface LoadBalancerOptions {
  /** Why this service must have its own cloud load balancer; recorded as the policy waiver. */
  readonly reason: string;
}

export interface WebServiceProps extends WorkerProps {
  /**
   * The port the container listens on.
   *
   * @default 8080
   */
  readonly port?: number;
  /**
   * How many pods run. Ignored when autoscaling is set.
   *
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The port the Service exposes.
   *
   * @default 80
   */
  readonly servicePort?: number;
  /**
   * Route outside HTTP traffic to the service.
   *
   * @default - reachable inside the cluster only
   */
  readonly ingress?: IngressOptions;
  /**
   * Expose the Service as type LoadBalancer, which costs a cloud load balancer of its own.
   *
   * @default - type ClusterIP
   */
  readonly loadBalancer?: LoadBalancerOptions;
}

/**
 * A load-balanced HTTP service: a Deployment of two or more pods behind a Service, with an optional
 * Ingress, autoscaling and a disruption budget, under the secure defaults of every workload.
 */
export class WebService extends Worker {
  public readonly service: plus.Service;
  public readonly servicePort: number;
  public readonly ingress?: plus.Ingress;

  public constructor(scope: Construct, id: string, props: WebServiceProps) {
    super(scope, id, { ...props, port: props.port ?? 8080, replicas: props.replicas ?? 2 });
    this.servicePort = checkRange(
      this,
      'servicePort',
      props.servicePort ?? 80,
      1,
      65535,
      'Use a port between 1 and 65535',
    );
    this.service = this.deployment.exposeViaService({
      name: this.name,
      serviceType: props.loadBalancer ? plus.ServiceType.LOAD_BALANCER : plus.ServiceType.CLUSTER_IP,
      ports: [{ port: this.servicePort, targetPort: this.port, name: 'http' }],
    });
    if (props.loadBalancer) {
      this.service.metadata.addAnnotation(
        `${WAIVER_ANNOTATION_PREFIX}load-balancer`,
        props.loadBalancer.reason,
      );
    }
    if (props.ingress) {
      this.ingress = this.exposeViaIngress(props.ingress);
    }
    this.deliver(props.strategy);
  }

  private exposeViaIngress(options: IngressOptions): plus.Ingress {
    return new plus.Ingress(this, 'Ingress', {
      metadata: { name: this.name },
      className: options.className,
      rules: [
        {
          host: options.host,
          path: options.path ?? '/',
          backend: plus.IngressBackend.fromService(this.service),
        },
      ],
      tls: options.tlsSecretName
        ? [
            {
              hosts: [options.host],
              secret: plus.Secret.fromSecretName(this, 'TlsSecret', options.tlsSecretName),
            },
          ]
        : undefined,
    });
  }
}
