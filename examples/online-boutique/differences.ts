import type { KnownDifference } from '../differences.js';

/** Where the port of Online Boutique differs from upstream/kubernetes-manifests.yaml, and why. */
export const ONLINE_BOUTIQUE_DIFFERENCES: readonly KnownDifference[] = [
  {
    fields: /^Deployment\/loadgenerator initContainers\[0\] resources$/,
    kind: 'deliberate',
    why: "every container has requests and limits; the init container takes the app container's, which costs nothing since a pod's request is the larger of its init containers' and the sum of its app containers'",
  },
  {
    fields:
      /^Deployment\/(adservice|cartservice|checkoutservice|emailservice|paymentservice|productcatalogservice|recommendationservice|shippingservice|redis-cart) containers\[0\] ports$/,
    kind: 'deliberate',
    why: 'a port is named once, on the container, and the name is carried to every Service; upstream names the Service ports ("grpc", "tcp-redis") and leaves the container ports unnamed',
  },
];
