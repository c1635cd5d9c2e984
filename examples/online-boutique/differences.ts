import type { KnownDifference } from '../differences.js';

/** Where the port of Online Boutique differs from upstream/kubernetes-manifests.yaml, and why. */
export const ONLINE_BOUTIQUE_DIFFERENCES: readonly KnownDifference[] = [
  {
    fields: /^Deployment\/frontend containers\[0\] (readiness|liveness)Probe$/,
    kind: 'missing',
    why: 'HTTP checks take no headers (upstream sends a Cookie so the probes get a session)',
  },
  {
    fields: /^Deployment\/(\w+service) containers\[0\] (readiness|liveness)Probe$/,
    kind: 'missing',
    why: 'no gRPC check: the port probes the gRPC services with TCP connections',
  },
  {
    fields: /^Service\/(\w+service|redis-cart) ports$/,
    kind: 'missing',
    why: 'every Service port is named "http" (upstream: "grpc", "tcp-redis")',
  },
  {
    fields: /^Deployment\/currencyservice containers\[0\] ports$/,
    kind: 'missing',
    why: 'container ports have no names (upstream names the currency service port "grpc")',
  },
  {
    fields: /^Service\/frontend-external (type|headless|ports)$/,
    kind: 'missing',
    why: 'a workload has one Service, so there is no second, external LoadBalancer Service',
  },
  {
    fields: /^Deployment\/redis-cart containers\[0\] volumeMounts$/,
    kind: 'missing',
    why: 'no volumes but /tmp: Redis has no emptyDir at /data',
  },
  {
    fields: /^Deployment\/loadgenerator initContainers\[0\] /,
    kind: 'missing',
    why: 'no init containers: the load generator does not wait for the frontend',
  },
];
