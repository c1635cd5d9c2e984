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
import { isQualifiedName } from './workload-port.js';

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

/** Labels and annotations of a Service, beside the library's own. */
export interface ServiceMetadata {
  /**
   * Labels of the Service (they select nothing: the pods are selected by name).
   *
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Annotations of the Service, such as `prometheus.io/scrape` or a cloud load balancer's settings.
   *
   * @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
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
   * How the Service named like the workload is reached: `ServiceKind.nodePort()` for a port on every
   * node. `loadBalancer` is the same as `ServiceKind.loadBalancer(...)` here.
   *
   * @default ServiceKind.clusterIp()
   */
  readonly serviceKind?: ServiceKind;
  /**
   * Labels and annotations of the Service named like the workload.
   *
   * @default - the library's labels only
   */
  readonly serviceMetadata?: ServiceMetadata;
  /**
   * More Services in front of the same pods: an external load balancer beside the cluster one, a
   * headless Service for clients that pick a pod themselves.
   *
   * @default - none
   */
  readonly additionalServices?: readonly AdditionalServiceOptions[];
}

/** Another Service in front of the workload's pods, beside the one named like the workload. */
export interface AdditionalServiceOptions extends ServiceMetadata {
  /** The Service's name, which no other Service of the workload has. */
  readonly name: string;
  /**
   * How it is reached.
   *
   * @default ServiceKind.clusterIp()
   */
  readonly kind?: ServiceKind;
  /**
   * The ports it serves, by name: the workload's ("http" for a workload with `port` alone), or named
   * ports of the sidecars given in the workload's `sidecars` prop (a metrics exporter beside the app).
   *
   * @default - every port of the workload (its app container's)
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
  if (props.loadBalancer && props.serviceKind) {
    invalid(
      workload,
      'loadBalancer and serviceKind are both set',
      'Set serviceKind: ServiceKind.loadBalancer({ reason }) alone, or drop serviceKind',
    );
  }
  // Under the Deployment, where cdk8s-plus's exposeViaService puts it, which selects by a path hash.
  const service = workloadService(workload, resource, `${workload.name}Service`, {
    ...props.serviceMetadata,
    name: workload.name,
    kind:
      props.serviceKind ??
      (props.loadBalancer ? ServiceKind.loadBalancer(props.loadBalancer) : ServiceKind.clusterIp()),
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
    const served = [...ports, ...sidecarPorts(workload)];
    for (const name of o.ports ?? []) {
      if (!served.some((p) => p.name === name)) {
        invalid(
          workload,
          `${prop}.ports names ${show(name)}, which neither the workload nor its sidecars have (their ports: ${served.map((p) => show(p.name)).join(', ')})`,
          'Name one of their ports; a sidecar port needs a name, and the sidecar must be in the sidecars prop',
        );
      }
    }
    if (o.ports?.length === 0) {
      invalid(workload, `${prop}.ports is empty`, 'Name at least one port, or leave ports out for all');
    }
    return workloadService(workload, workload, `Service-${o.name}`, {
      name: o.name,
      labels: o.labels,
      annotations: o.annotations,
      kind: o.kind ?? ServiceKind.clusterIp(),
      ports: o.ports ? served.filter((p) => o.ports!.includes(p.name)) : ports,
    });
  });
}

/** The named ports of the workload's sidecars, each served on its own number. */
function sidecarPorts(workload: Workload): ServicePortSpec[] {
  return workload.resource.initContainers.flatMap((c) =>
    c.ports.flatMap((p) => (p.name ? [{ name: p.name, port: p.number, targetPort: p.number }] : [])),
  );
}

/**
 * A Service in front of the workload's pods. A node port's or load balancer's is reached from outside
 * the cluster, so it comes with an ingress allow from anywhere to its ports (and a load balancer's with
 * the waiver of the load-balancer policy).
 */
function workloadService(
  workload: Workload,
  scope: Construct,
  id: string,
  options: ServiceMetadata & {
    readonly name: string;
    readonly kind: ServiceKind;
    readonly ports: readonly ServicePortSpec[];
  },
): plus.Service {
  const { kind } = options;
  const service = podService(scope, id, workload.resource, {
    name: options.name,
    type: kind._type,
    clusterIP: kind._clusterIP,
    ports: options.ports,
    nodePorts: nodePorts(workload, options.name, kind, options.ports),
    ...checkServiceMetadata(workload, options.name, options),
  });
  if (kind.loadBalancerReason !== undefined) {
    service.metadata.addAnnotation(`${WAIVER_ANNOTATION_PREFIX}load-balancer`, kind.loadBalancerReason);
  }
  if (kind.external) {
    const peer =
      kind.kind === 'node-port'
        ? ExternalPeer.nodePortClients(options.name)
        : ExternalPeer.loadBalancerClients(options.name);
    workload.allowFrom(peer, { ports: options.ports.map((p) => p.targetPort) });
  }
  return service;
}

/** The node ports asked for, each naming a port of the Service and within the port range. */
function nodePorts(
  workload: Workload,
  service: string,
  kind: ServiceKind,
  ports: readonly ServicePortSpec[],
): Record<string, number> | undefined {
  for (const [name, port] of Object.entries(kind.nodePorts ?? {})) {
    if (!ports.some((p) => p.name === name)) {
      invalid(
        workload,
        `the node port of Service ${show(service)} names port ${show(name)}, which the Service does not have (its ports: ${ports.map((p) => show(p.name)).join(', ')})`,
        'Key nodePorts by the name of one of its ports',
      );
    }
    checkRange(workload, `nodePorts.${name} of Service ${show(service)}`, port, 1, 65535, NODE_PORT_FIX);
  }
  return kind.nodePorts;
}

const NODE_PORT_FIX = "Use a port of the cluster's node port range (30000-32767 by default)";

/** The labels and annotations of Service `service`, each key a qualified name as Kubernetes checks it. */
export function checkServiceMetadata(
  workload: Workload,
  service: string,
  metadata: ServiceMetadata = {},
): ServiceMetadata {
  for (const field of ['labels', 'annotations'] as const) {
    for (const key of Object.keys(metadata[field] ?? {}).filter((k) => !isQualifiedName(k))) {
      invalid(
        workload,
        `${field} of Service ${show(service)} has the key ${show(key)}, which is not a qualified name`,
        'Use a name like "team" or "prometheus.io/scrape": letters, digits, "-", "_" and ".", with an optional DNS prefix and "/"',
      );
    }
  }
  return { labels: metadata.labels, annotations: metadata.annotations };
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
