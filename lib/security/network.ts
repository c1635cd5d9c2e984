import { Chart } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel } from '../core/names.js';
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
 * Pods outside the app that may connect to its workloads: another namespace, the ingress controller,
 * the Prometheus that scrapes the app, or anywhere. Only an ingress policy is made for them; their own
 * egress is theirs to allow.
 */
export class ExternalPeer {
  /** The pods of namespace `name` (all of them, or those with `podLabels`). */
  public static namespace(name: string, podLabels?: Readonly<Record<string, string>>): ExternalPeer {
    return new ExternalPeer(
      `ns-${name}`,
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } },
        podSelector: podLabels ? { matchLabels: { ...podLabels } } : undefined,
      },
      name,
    );
  }

  /** The NGINX Ingress Controller's pods, as its Helm chart labels them. */
  public static ingressController(
    namespace = 'ingress-nginx',
    podLabels: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'ingress-nginx' },
  ): ExternalPeer {
    return ExternalPeer.namespace(namespace, podLabels).named('ingress-controller');
  }

  /** The Prometheus that scrapes the app, as the Prometheus Operator labels its pods. */
  public static monitoring(
    namespace = 'monitoring',
    podLabels: Readonly<Record<string, string>> = { 'app.kubernetes.io/name': 'prometheus' },
  ): ExternalPeer {
    return ExternalPeer.namespace(namespace, podLabels).named('monitoring');
  }

  /** Any address, inside the cluster or out. */
  public static anywhere(): ExternalPeer {
    return new ExternalPeer('anywhere', { ipBlock: { cidr: '0.0.0.0/0' } });
  }

  /** The clients of the LoadBalancer Service `service`: any address, as a cloud load balancer forwards them. */
  public static loadBalancerClients(service: string): ExternalPeer {
    return ExternalPeer.anywhere().named(`lb-${service}`);
  }

  /** The clients of the NodePort Service `service`: any address that reaches a node. */
  public static nodePortClients(service: string): ExternalPeer {
    return ExternalPeer.anywhere().named(`np-${service}`);
  }

  private constructor(
    /** How the peer is named in the names of its NetworkPolicies. */
    public readonly peerName: string,
    private readonly peer: plus.k8s.NetworkPolicyPeer,
    private readonly namespaceName?: string,
  ) {}

  /**
   * @internal The peer as `policyHolder`'s policy selects it. A namespace name that is not a DNS label
   * is no namespace's, so the rule could never match.
   */
  public _toPeer(policyHolder: IConstruct): plus.k8s.NetworkPolicyPeer {
    if (this.namespaceName !== undefined) {
      checkDnsLabel(policyHolder, `the namespace of ExternalPeer ${show(this.peerName)}`, this.namespaceName);
    }
    return this.peer;
  }

  private named(peerName: string): ExternalPeer {
    return new ExternalPeer(peerName, this.peer, this.namespaceName);
  }
}

/**
 * How `peer`'s pods are selected from `viewer`'s namespace: by labels alone in the same namespace, with
 * a namespace selector across namespaces, since a pod selector alone only ever matches pods of the
 * policy's own namespace.
 */
function selectorOf(peer: INetworkPeer, viewer: INetworkPeer): plus.k8s.NetworkPolicyPeer {
  const [peerNamespace, viewerNamespace] = [Chart.of(peer).namespace, Chart.of(viewer).namespace];
  if ((peerNamespace === undefined) !== (viewerNamespace === undefined)) {
    invalid(
      viewer,
      `a NetworkPolicy between ${show(viewer.peerName)} and ${show(peer.peerName)} cannot tell whether they share a namespace (only one of their charts sets one), so it could never match`,
      'Set namespace on both charts',
    );
  }
  const podSelector = { matchLabels: { ...peer.podSelector } };
  return peerNamespace === viewerNamespace
    ? { podSelector }
    : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': peerNamespace! } }, podSelector };
}

/**
 * Lets the pods of `from` open connections to the pods of `to`. Under default deny both directions need
 * saying: an ingress policy on `to` and an egress policy on `from` (none for a peer outside the app).
 */
export function allowTraffic(
  from: INetworkPeer | ExternalPeer,
  to: INetworkPeer,
  options: AllowOptions = {},
): plus.k8s.KubeNetworkPolicy[] {
  const ports = portRules(options.ports ?? to.ingressPorts);
  const external = from instanceof ExternalPeer;
  const id = external ? from.peerName : from.node.addr.slice(0, 12);
  const ingress = new plus.k8s.KubeNetworkPolicy(to, `AllowFrom-${id}`, {
    metadata: { name: `${to.peerName}-from-${from.peerName}` },
    spec: {
      podSelector: { matchLabels: { ...to.podSelector } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [external ? from._toPeer(to) : selectorOf(from, to)], ports }],
    },
  });
  if (external) {
    return [ingress];
  }
  const egress = new plus.k8s.KubeNetworkPolicy(from, `AllowTo-${to.node.addr.slice(0, 12)}`, {
    metadata: { name: `${from.peerName}-to-${to.peerName}` },
    spec: {
      podSelector: { matchLabels: { ...from.podSelector } },
      policyTypes: ['Egress'],
      egress: [{ to: [selectorOf(to, from)], ports }],
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
