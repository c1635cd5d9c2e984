import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import * as plus from '../core/plus.js';

/** Something NetworkPolicies can select: a workload's pods, or every pod of a tier. */
export interface INetworkPeer extends IConstruct {
  /** How the peer is named in the names of its NetworkPolicies: "api", "web-tier". */
  readonly peerName: string;
  /** The labels that select the peer's pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** The ports its pods accept connections on; empty means every port. */
  readonly ingressPorts: readonly number[];
}

export interface AllowOptions {
  /**
   * The ports the connections may reach.
   *
   * @default - the target's ports
   */
  readonly ports?: readonly number[];
}

function portRules(ports: readonly number[]): plus.k8s.NetworkPolicyPort[] | undefined {
  return ports.length === 0
    ? undefined
    : ports.map((port) => ({ port: plus.k8s.IntOrString.fromNumber(port), protocol: 'TCP' }));
}

/**
 * Lets the pods of `from` open connections to the pods of `to`. Under default deny both directions need
 * saying: an ingress policy on `to` and an egress policy on `from`. Returns both.
 */
export function allowTraffic(
  from: INetworkPeer,
  to: INetworkPeer,
  options: AllowOptions = {},
): [ingress: plus.k8s.KubeNetworkPolicy, egress: plus.k8s.KubeNetworkPolicy] {
  const ports = portRules(options.ports ?? to.ingressPorts);
  const ingress = new plus.k8s.KubeNetworkPolicy(to, `AllowFrom-${from.node.addr.slice(0, 12)}`, {
    metadata: { name: `${to.peerName}-from-${from.peerName}` },
    spec: {
      podSelector: { matchLabels: { ...to.podSelector } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { ...from.podSelector } } }], ports }],
    },
  });
  const egress = new plus.k8s.KubeNetworkPolicy(from, `AllowTo-${to.node.addr.slice(0, 12)}`, {
    metadata: { name: `${from.peerName}-to-${to.peerName}` },
    spec: {
      podSelector: { matchLabels: { ...from.podSelector } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { ...to.podSelector } } }], ports }],
    },
  });
  return [ingress, egress];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Lets the pods of `from` open connections to addresses in `cidr` (IPv4), on `ports` or every port. */
export function allowEgressToCidr(
  from: INetworkPeer,
  cidr: string,
  options: { readonly ports?: readonly number[] } = {},
): plus.k8s.KubeNetworkPolicy {
  const match = CIDR.exec(cidr);
  if (!match || match.slice(1, 5).some((octet) => Number(octet) > 255) || Number(match[5]) > 32) {
    invalid(from, `egress CIDR ${show(cidr)} is not an IPv4 CIDR block`, 'Write it as "10.0.0.0/16"');
  }
  const block = cidr.replace(/[./]/g, '-');
  return new plus.k8s.KubeNetworkPolicy(from, `AllowToCidr-${block}`, {
    metadata: { name: `${from.peerName}-to-${block}` },
    spec: {
      podSelector: { matchLabels: { ...from.podSelector } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr } }], ports: portRules(options.ports ?? []) }],
    },
  });
}

/**
 * Default deny for a namespace: no pod accepts or opens a connection that a policy does not allow,
 * except DNS lookups to the cluster's resolver, which every pod needs.
 */
export class DefaultDenyNetworkPolicy extends Construct {
  public readonly denyAll: plus.k8s.KubeNetworkPolicy;
  public readonly allowDns: plus.k8s.KubeNetworkPolicy;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.denyAll = new plus.k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: 'default-deny' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    this.allowDns = new plus.k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: 'allow-dns' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: ['UDP', 'TCP'].map((protocol) => ({
              port: plus.k8s.IntOrString.fromNumber(53),
              protocol,
            })),
          },
        ],
      },
    });
  }
}
