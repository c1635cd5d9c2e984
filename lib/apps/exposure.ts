/**
 * The Service part: how a workload is reached, by Services (its ports by name, with their appProtocol)
 * and optionally an Ingress. A WebService uses all of it; a StatefulService its ports and additional
 * Services beside the headless Service it makes itself.
 */
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { ServicePortSpec } from '../core/services.js';
import { podService } from '../core/services.js';
import { ExternalPeer } from '../security/network.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';
import type { LoadBalancerOptions } from './service-kind.js';
import { ServiceKind } from './service-kind.js';
import type { Workload } from './workload.js';

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
  /**
   * The Service port it routes to, by name.
   *
   * @default - the main port
   */
  readonly port?: string;
}

export interface ExposureProps {
  /**
   * The port the Service exposes the workload's `port` on. With `ports`, set each port's servicePort.
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
  /**
   * More Services in front of the same pods: an external load balancer beside the cluster one, a
   * headless Service for clients that pick a pod themselves.
   *
   * @default - none
   */
  readonly additionalServices?: readonly AdditionalServiceOptions[];
}

/** Another Service in front of the workload's pods, beside the one named like the workload. */
export interface AdditionalServiceOptions {
  /** The Service's name, which no other Service of the workload has. */
  readonly name: string;
  /**
   * How it is reached.
   *
   * @default ServiceKind.clusterIp()
   */
  readonly kind?: ServiceKind;
  /**
   * The workload's ports it serves, by name ("http" for a workload with `port` alone).
   *
   * @default - every port of the workload
   */
  readonly ports?: readonly string[];
}

export interface Exposure {
  readonly service: plus.Service;
  readonly servicePort: number;
  readonly additionalServices: readonly plus.Service[];
  readonly ingress?: plus.Ingress;
}

/**
 * The ports of the workload's Services: each named port on its servicePort, or the single `port` named
 * "http" on `servicePort` (default `defaultServicePort`).
 */
export function servicePorts(
  workload: Workload,
  servicePort: number | undefined,
  defaultServicePort = 80,
): ServicePortSpec[] {
  if (workload.ports.length > 0) {
    if (servicePort !== undefined) {
      invalid(
        workload,
        `servicePort (${servicePort}) applies to port alone, and the workload has ports`,
        'Set servicePort on each of ports instead',
      );
    }
    return workload.ports.map((p) => ({
      name: p.name,
      port: p.servicePort ?? p.number,
      targetPort: p.number,
      appProtocol: p.appProtocol,
    }));
  }
  return [
    {
      name: 'http',
      port: checkRange(
        workload,
        'servicePort',
        servicePort ?? defaultServicePort,
        1,
        65535,
        'Use a port between 1 and 65535',
      ),
      targetPort: workload.port!,
    },
  ];
}

/**
 * A Service named like the workload in front of `resource`'s pods, the additional Services, and the
 * Ingress asked for.
 */
export function expose(workload: Workload, resource: plus.Deployment, props: ExposureProps): Exposure {
  const ports = servicePorts(workload, props.servicePort);
  // Under the Deployment, where cdk8s-plus's exposeViaService puts it, which selects by a path hash.
  const service = workloadService(workload, resource, `${workload.name}Service`, {
    name: workload.name,
    kind: props.loadBalancer ? ServiceKind.loadBalancer(props.loadBalancer) : ServiceKind.clusterIp(),
    ports,
  });
  const additionalServices = addServices(workload, ports, props.additionalServices);
  const ingress = props.ingress ? exposeViaIngress(workload, service, props.ingress) : undefined;
  return { service, servicePort: ports[0].port, additionalServices, ingress };
}

/** The additional Services of `options`, each serving the ports it names of `ports`. */
export function addServices(
  workload: Workload,
  ports: readonly ServicePortSpec[],
  options: readonly AdditionalServiceOptions[] = [],
): plus.Service[] {
  return options.map((o, i) => {
    const prop = `additionalServices[${i}]`;
    checkDnsLabel(workload, `${prop}.name`, o.name);
    const taken = [workload.name, ...options.slice(0, i).map((other) => other.name)];
    if (taken.includes(o.name)) {
      invalid(
        workload,
        `${prop}.name ${show(o.name)} is taken by another Service of the workload`,
        'Give each Service its own name',
      );
    }
    for (const name of o.ports ?? []) {
      if (!ports.some((p) => p.name === name)) {
        invalid(
          workload,
          `${prop}.ports names ${show(name)}, which the workload does not have (its ports: ${ports.map((p) => show(p.name)).join(', ')})`,
          'Name one of its ports',
        );
      }
    }
    if (o.ports?.length === 0) {
      invalid(workload, `${prop}.ports is empty`, 'Name at least one port, or leave ports out for all');
    }
    return workloadService(workload, workload, `Service-${o.name}`, {
      name: o.name,
      kind: o.kind ?? ServiceKind.clusterIp(),
      ports: o.ports ? ports.filter((p) => o.ports!.includes(p.name)) : ports,
    });
  });
}

/**
 * A Service in front of the workload's pods. A load balancer's is reached from outside the cluster, so
 * it comes with the waiver of the load-balancer policy and an ingress allow from anywhere to its ports.
 */
function workloadService(
  workload: Workload,
  scope: Construct,
  id: string,
  options: { readonly name: string; readonly kind: ServiceKind; readonly ports: readonly ServicePortSpec[] },
): plus.Service {
  const { kind } = options;
  const service = podService(scope, id, workload.resource, {
    name: options.name,
    type: kind._type,
    clusterIP: kind._clusterIP,
    ports: options.ports,
  });
  if (kind.loadBalancerReason !== undefined) {
    service.metadata.addAnnotation(`${WAIVER_ANNOTATION_PREFIX}load-balancer`, kind.loadBalancerReason);
    workload.allowFrom(ExternalPeer.loadBalancerClients(options.name), {
      ports: options.ports.map((p) => p.targetPort),
    });
  }
  return service;
}

function exposeViaIngress(workload: Workload, service: plus.Service, options: IngressOptions): plus.Ingress {
  const port = service.ports.find((p) => options.port === undefined || p.name === options.port);
  if (!port) {
    invalid(
      workload,
      `ingress.port names ${show(options.port)}, which the Service does not have (its ports: ${service.ports.map((p) => show(p.name)).join(', ')})`,
      'Name one of its ports',
    );
  }
  return new plus.Ingress(workload, 'Ingress', {
    metadata: { name: workload.name },
    className: options.className,
    rules: [
      {
        host: options.host,
        path: options.path ?? '/',
        backend: plus.IngressBackend.fromService(service, { port: port.port }),
      },
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
