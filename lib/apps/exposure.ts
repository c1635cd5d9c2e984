/**
 * The Service part: how a workload is reached, by a Service and optionally an Ingress. WebService uses
 * it today; any workload with a port (a StatefulService) can.
 */
import type { Construct } from 'constructs';
import { checkRange } from '../core/names.js';
import { selectPods } from '../core/selectors.js';
import * as plus from '../core/plus.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';

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

export interface ExposureProps {
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

export interface Exposure {
  readonly service: plus.Service;
  readonly servicePort: number;
  readonly ingress?: plus.Ingress;
}

/** A Service named like the workload in front of `resource`'s pods on `port`, and the Ingress asked for. */
export function expose(
  workload: Construct & { readonly name: string },
  resource: plus.Deployment,
  port: number,
  props: ExposureProps,
): Exposure {
  const servicePort = checkRange(
    workload,
    'servicePort',
    props.servicePort ?? 80,
    1,
    65535,
    'Use a port between 1 and 65535',
  );
  // Under the Deployment, where cdk8s-plus's exposeViaService puts it, which selects by a path hash.
  const service = new plus.Service(resource, `${workload.name}Service`, {
    metadata: { name: workload.name },
    type: props.loadBalancer ? plus.ServiceType.LOAD_BALANCER : plus.ServiceType.CLUSTER_IP,
    ports: [{ port: servicePort, targetPort: port, name: 'http' }],
  });
  selectPods(service, resource);
  if (props.loadBalancer) {
    service.metadata.addAnnotation(`${WAIVER_ANNOTATION_PREFIX}load-balancer`, props.loadBalancer.reason);
  }
  const ingress = props.ingress ? exposeViaIngress(workload, service, props.ingress) : undefined;
  return { service, servicePort, ingress };
}

function exposeViaIngress(
  workload: Construct & { readonly name: string },
  service: plus.Service,
  options: IngressOptions,
): plus.Ingress {
  return new plus.Ingress(workload, 'Ingress', {
    metadata: { name: workload.name },
    className: options.className,
    rules: [
      { host: options.host, path: options.path ?? '/', backend: plus.IngressBackend.fromService(service) },
    ],
    tls: options.tlsSecretName
      ? [
          {
            hosts: [options.host],
            secret: plus.Secret.fromSecretName(workload, 'TlsSecret', options.tlsSecretName),
          },
        ]
      : undefined,
  });
}
