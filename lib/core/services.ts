import type { Construct } from 'constructs';
import * as plus from './plus.js';
import { selectPods } from './selectors.js';

/** A Service port as the library writes it: named, with its application protocol. */
export interface ServicePortSpec {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly appProtocol?: string;
}

export interface PodServiceOptions {
  readonly name: string;
  readonly ports: readonly ServicePortSpec[];
  /** @default ClusterIP */
  readonly type?: plus.ServiceType;
  /** "None" for a headless Service. @default - one assigned by the cluster */
  readonly clusterIP?: string;
  /** The node port of each port, by port name (type NodePort). @default - chosen by the cluster */
  readonly nodePorts?: Readonly<Record<string, number>>;
  /** Labels beside the library's own. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

const portSpecs = new WeakMap<plus.Service, readonly ServicePortSpec[]>();

/**
 * A Service in `scope` in front of `pods` (selected by their name label; by `selectPods` later when the
 * Service must exist before its pods, as a StatefulSet's), with named ports and their appProtocol, which
 * cdk8s-plus-27's Service has no setting for.
 */
export function podService(
  scope: Construct,
  id: string,
  pods: plus.Workload | undefined,
  options: PodServiceOptions,
): plus.Service {
  const service = new plus.Service(scope, id, {
    metadata: { name: options.name, labels: { ...options.labels }, annotations: { ...options.annotations } },
    type: options.type,
    clusterIP: options.clusterIP,
    ports: options.ports.map(({ name, port, targetPort }) => ({
      port,
      targetPort,
      name,
      nodePort: options.nodePorts?.[name],
    })),
  });
  if (pods) {
    selectPods(service, pods);
  }
  portSpecs.set(service, options.ports);
  const appProtocols = options.ports.filter((p) => p.appProtocol !== undefined);
  if (appProtocols.length > 0) {
    plus.addFields(service, () => ({
      servicePorts: Object.fromEntries(appProtocols.map((p) => [p.name, { appProtocol: p.appProtocol }])),
    }));
  }
  return service;
}

/** The ports of `service` with their appProtocol, to make a Service like it. */
export function portsOf(service: plus.Service): readonly ServicePortSpec[] {
  return (
    portSpecs.get(service) ??
    service.ports.map((p) => ({ name: p.name!, port: p.port, targetPort: p.targetPort ?? p.port }))
  );
}
