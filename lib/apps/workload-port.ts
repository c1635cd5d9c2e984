import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkRange } from '../core/names.js';

/** A named port the container listens on, carried by name to every Service of the workload. */
export interface WorkloadPort {
  /**
   * The port's name, as Services, probes and ServiceMonitors refer to it: an IANA service name (at most
   * 15 lowercase letters, digits and '-', with at least one letter), such as "http", "grpc", "metrics".
   */
  readonly name: string;
  /** The container port. */
  readonly number: number;
  /**
   * The application protocol, written as `appProtocol` on the port of every Service: an IANA service
   * name ("http", "https", "grpc") or a prefixed one ("kubernetes.io/h2c").
   *
   * @default - none
   */
  readonly appProtocol?: string;
  /**
   * The port the Services expose it on.
   *
   * @default - the container port
   */
  readonly servicePort?: number;
}

// IANA_SVC_NAME, as Kubernetes validates a port name.
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Whether `value` is a qualified name, as Kubernetes validates appProtocol and label keys: an optional DNS
 * subdomain prefix and "/", then a name of at most 63 characters.
 */
export function isQualifiedName(value: string): boolean {
  return value.split('/').at(-1)!.length <= 63 && QUALIFIED_NAME.test(value);
}

/**
 * The container's ports from the props: `port` alone (unnamed, as before named ports), or `ports`, whose
 * first is the main port. Names and numbers are checked, and must be unique.
 */
export function checkPorts(
  scope: IConstruct,
  port: number | undefined,
  ports: readonly WorkloadPort[] | undefined,
): { readonly port?: number; readonly ports: readonly WorkloadPort[] } {
  if (ports === undefined) {
    return {
      port: port === undefined ? undefined : checkPortNumber(scope, 'port', port),
      ports: [],
    };
  }
  if (port !== undefined) {
    invalid(
      scope,
      `port (${port}) and ports are both set`,
      'List the main port first in ports and drop port, or drop ports',
    );
  }
  if (ports.length === 0) {
    invalid(scope, 'ports is empty', 'List at least one port, or leave ports out');
  }
  ports.forEach((p, i) => {
    const prop = `ports[${i}]`;
    if (p.name.length > 15 || p.name.includes('--') || !PORT_NAME.test(p.name)) {
      invalid(
        scope,
        `${prop}.name must be an IANA service name (at most 15 lowercase letters, digits and '-', with at least one letter, no '--', starting and ending with a letter or digit), got ${show(p.name)}`,
        'Name it like "http", "grpc" or "metrics"',
      );
    }
    checkPortNumber(scope, `${prop}.number`, p.number);
    if (p.servicePort !== undefined) {
      checkPortNumber(scope, `${prop}.servicePort`, p.servicePort);
    }
    if (p.appProtocol !== undefined && !isQualifiedName(p.appProtocol)) {
      invalid(
        scope,
        `${prop}.appProtocol must be a protocol name like "http", "grpc" or "kubernetes.io/h2c", got ${show(p.appProtocol)}`,
        'Use an IANA service name, or a name prefixed with a domain',
      );
    }
  });
  unique(scope, ports, 'name', (p) => p.name);
  unique(scope, ports, 'number', (p) => p.number);
  unique(scope, ports, 'servicePort', (p) => p.servicePort ?? p.number);
  return { port: ports[0].number, ports };
}

function unique(
  scope: IConstruct,
  ports: readonly WorkloadPort[],
  field: string,
  valueOf: (port: WorkloadPort) => string | number,
): void {
  ports.forEach((port, i) => {
    const first = ports.findIndex((other) => valueOf(other) === valueOf(port));
    if (first !== i) {
      invalid(
        scope,
        `ports[${first}] and ports[${i}] have the same ${field}, ${show(valueOf(port))}`,
        `Give each port its own ${field}`,
      );
    }
  });
}

function checkPortNumber(scope: IConstruct, prop: string, value: number): number {
  return checkRange(scope, prop, value, 1, 65535, 'Use a port between 1 and 65535');
}

/**
 * The ports a caller narrows `calls()` to: some, each one of `known`, the ports of the target's pods
 * (when they are known).
 */
export function checkCalledPorts(
  caller: IConstruct,
  target: string,
  known: readonly number[],
  ports: readonly number[] | undefined,
): readonly number[] {
  if (ports === undefined || ports.length === 0) {
    invalid(
      caller,
      `calls(${show(target)}, options) names no ports`,
      'List the ports to call in options.ports, or call calls(target) for every port',
    );
  }
  for (const port of ports.filter((p) => known.length > 0 && !known.includes(p))) {
    invalid(
      caller,
      `calls(${show(target)}) names port ${port}, which no container of ${show(target)} declares (its ports: ${known.join(', ')})`,
      `Call one of ${known.join(', ')}, or declare the port on its container or sidecar`,
    );
  }
  return ports;
}
