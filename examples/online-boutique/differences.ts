import type { KnownDifference } from '../differences.js';

/** Where the port of Online Boutique differs from upstream/kubernetes-manifests.yaml, and why. */
export const ONLINE_BOUTIQUE_DIFFERENCES: readonly KnownDifference[] = [
  {
    fields: /^Deployment\/loadgenerator initContainers\[0\] resources$/,
    kind: 'deliberate',
    why: "every container has requests and limits; the init container takes the app container's, which costs nothing since a pod's request is the larger of its init containers' and the sum of its app containers'",
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
];
