/**
 * Online Boutique (GoogleCloudPlatform/microservices-demo), ported from its release manifests
 * (upstream/kubernetes-manifests.yaml) to the library's constructs. UPSTREAM.md says where it comes from
 * and what differs on purpose.
 */
import type { Construct } from 'constructs';
import { AppStack } from '../../lib/apps/app-stack.js';
import { HealthCheck } from '../../lib/apps/health-check.js';
import { PodVolume } from '../../lib/apps/pod-volume.js';
import { ServiceKind } from '../../lib/apps/service-kind.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import type * as plus from '../../lib/core/plus.js';
import { resources } from '../resources.js';

export interface OnlineBoutiqueProps {
  /** The namespace the shop runs in. */
  readonly namespace: string;
}

const REGISTRY = 'us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo';
const VERSION = 'v0.10.6';

/** Every upstream pod runs as UID and GID 1000 and owns its volumes with that group. */
const POD_USER = { runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000 } as const;

/** Upstream leaves the pull policy to Kubernetes, which keeps a pinned image it already has. */
const PULL = { imagePullPolicy: 'IfNotPresent' } as const;

/** Upstream labels each Service with the app it serves. */
const serviceLabels = (app: string) => ({ labels: { app } });

/** The load generator's init container waits for the frontend to answer, upstream's script verbatim. */
const FRONTEND_CHECK = `MAX_RETRIES=12
RETRY_INTERVAL=10
for i in $(seq 1 $MAX_RETRIES); do
  echo "Attempt $i: Pinging frontend: \${FRONTEND_ADDR}..."
  STATUSCODE=$(wget --server-response http://\${FRONTEND_ADDR} 2>&1 | awk '/^  HTTP/{print $2}')
  if [ $STATUSCODE -eq 200 ]; then
      echo "Frontend is reachable."
      exit 0
  fi
  echo "Error: Could not reach frontend - Status code: \${STATUSCODE}"
  sleep $RETRY_INTERVAL
done
echo "Failed to reach frontend after $MAX_RETRIES attempts."
exit 1
`;

interface GrpcServiceProps {
  readonly port: number;
  /** The Service's port, when it differs from the container's. */
  readonly servicePort?: number;
  readonly env: Record<string, string>;
  readonly resources: plus.ContainerResources;
  /** Upstream's probe timing: the same for readiness and liveness unless `liveness` says otherwise. */
  readonly probe?: { initialDelaySeconds?: number; periodSeconds?: number };
  readonly liveness?: { initialDelaySeconds?: number; periodSeconds?: number };
  /** Upstream gives most services 5 seconds to stop, and leaves two at Kubernetes' 30. */
  readonly terminationGracePeriodSeconds?: number;
}

/** The shop: a frontend, nine gRPC backends, a Redis for the carts and a load generator. */
export class OnlineBoutique extends AppStack {
  public readonly frontend: WebService;
  public readonly backends: Record<string, WebService>;
  public readonly redis: WebService;
  public readonly loadGenerator: Worker;

  public constructor(scope: Construct, id: string, props: OnlineBoutiqueProps) {
    super(scope, id, { namespace: props.namespace });

    const grpc = (name: string, service: GrpcServiceProps) =>
      new WebService(this, name, {
        image: `${REGISTRY}/${name}:${VERSION}`,
        containerName: 'server',
        ...POD_USER,
        ...PULL,
        serviceMetadata: serviceLabels(name),
        replicas: 1,
        // Upstream names the Service port "grpc"; the library carries one name from the container to the Services.
        ports: [{ name: 'grpc', number: service.port, servicePort: service.servicePort }],
        env: service.env,
        resources: service.resources,
        readiness: HealthCheck.grpc(service.probe),
        liveness: HealthCheck.grpc(service.liveness ?? service.probe),
        terminationGracePeriodSeconds: service.terminationGracePeriodSeconds,
      });

    const productCatalog = grpc('productcatalogservice', {
      port: 3550,
      env: { PORT: '3550', DISABLE_PROFILER: '1' },
      terminationGracePeriodSeconds: 5,
      resources: resources([100, 200], [64, 128]),
    });
    const currency = grpc('currencyservice', {
      port: 7000,
      env: { PORT: '7000', DISABLE_PROFILER: '1' },
      terminationGracePeriodSeconds: 5,
      resources: resources([100, 200], [64, 128]),
    });
    const cart = grpc('cartservice', {
      port: 7070,
      env: { REDIS_ADDR: 'redis-cart:6379' },
      terminationGracePeriodSeconds: 5,
      resources: resources([200, 300], [64, 128]),
      probe: { initialDelaySeconds: 15 },
      liveness: { initialDelaySeconds: 15, periodSeconds: 10 },
    });
    const recommendation = grpc('recommendationservice', {
      port: 8080,
      env: {
        PORT: '8080',
        PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550',
        DISABLE_PROFILER: '1',
      },
      terminationGracePeriodSeconds: 5,
      resources: resources([100, 200], [220, 450]),
      probe: { periodSeconds: 5 },
    });
    const shipping = grpc('shippingservice', {
      port: 50051,
      env: { PORT: '50051', DISABLE_PROFILER: '1' },
      resources: resources([100, 200], [64, 128]),
      probe: { periodSeconds: 5 },
      liveness: {},
    });
    const payment = grpc('paymentservice', {
      port: 50051,
      env: { PORT: '50051', DISABLE_PROFILER: '1' },
      terminationGracePeriodSeconds: 5,
      resources: resources([100, 200], [64, 128]),
    });
    const email = grpc('emailservice', {
      port: 8080,
      servicePort: 5000,
      env: { PORT: '8080', DISABLE_PROFILER: '1' },
      terminationGracePeriodSeconds: 5,
      resources: resources([100, 200], [64, 128]),
      probe: { periodSeconds: 5 },
    });
    const checkout = grpc('checkoutservice', {
      port: 5050,
      env: {
        PORT: '5050',
        PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550',
        SHIPPING_SERVICE_ADDR: 'shippingservice:50051',
        PAYMENT_SERVICE_ADDR: 'paymentservice:50051',
        EMAIL_SERVICE_ADDR: 'emailservice:5000',
        CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
        CART_SERVICE_ADDR: 'cartservice:7070',
      },
      resources: resources([100, 200], [64, 128]),
    });
    const ad = grpc('adservice', {
      port: 9555,
      env: { PORT: '9555' },
      terminationGracePeriodSeconds: 5,
      resources: resources([200, 300], [180, 300]),
      probe: { initialDelaySeconds: 20, periodSeconds: 15 },
    });

    this.redis = new WebService(this, 'redis-cart', {
      image: 'redis:alpine',
      containerName: 'redis',
      ...POD_USER,
      ...PULL,
      serviceMetadata: serviceLabels('redis-cart'),
      replicas: 1,
      ports: [{ name: 'tcp-redis', number: 6379 }],
      readiness: HealthCheck.tcp({ periodSeconds: 5 }),
      liveness: HealthCheck.tcp({ periodSeconds: 5 }),
      resources: resources([70, 125], [200, 256]),
      mounts: [{ path: '/data', volume: PodVolume.emptyDir('redis-data') }],
    });

    this.frontend = new WebService(this, 'frontend', {
      image: `${REGISTRY}/frontend:${VERSION}`,
      containerName: 'server',
      ...POD_USER,
      ...PULL,
      serviceMetadata: serviceLabels('frontend'),
      replicas: 1,
      port: 8080,
      additionalServices: [
        {
          name: 'frontend-external',
          ...serviceLabels('frontend'),
          kind: ServiceKind.loadBalancer({
            reason: 'Online Boutique serves its shop on an external load balancer',
          }),
        },
      ],
      podAnnotations: { 'sidecar.istio.io/rewriteAppHTTPProbers': 'true' },
      // The cookie gives the checks a session of their own, as upstream's do.
      readiness: HealthCheck.http('/_healthz', {
        initialDelaySeconds: 10,
        headers: { Cookie: 'shop_session-id=x-readiness-probe' },
      }),
      liveness: HealthCheck.http('/_healthz', {
        initialDelaySeconds: 10,
        headers: { Cookie: 'shop_session-id=x-liveness-probe' },
      }),
      env: {
        PORT: '8080',
        PRODUCT_CATALOG_SERVICE_ADDR: 'productcatalogservice:3550',
        CURRENCY_SERVICE_ADDR: 'currencyservice:7000',
        CART_SERVICE_ADDR: 'cartservice:7070',
        RECOMMENDATION_SERVICE_ADDR: 'recommendationservice:8080',
        SHIPPING_SERVICE_ADDR: 'shippingservice:50051',
        CHECKOUT_SERVICE_ADDR: 'checkoutservice:5050',
        AD_SERVICE_ADDR: 'adservice:9555',
        SHOPPING_ASSISTANT_SERVICE_ADDR: 'shoppingassistantservice:80',
        ENABLE_PROFILER: '0',
      },
      resources: resources([100, 200], [64, 128]),
    });

    this.loadGenerator = new Worker(this, 'loadgenerator', {
      image: `${REGISTRY}/loadgenerator:${VERSION}`,
      containerName: 'main',
      ...POD_USER,
      ...PULL,
      replicas: 1,
      terminationGracePeriodSeconds: 5,
      podAnnotations: { 'sidecar.istio.io/rewriteAppHTTPProbers': 'true' },
      initContainers: [
        {
          name: 'frontend-check',
          ...PULL,
          image: 'busybox:1.38.0@sha256:fd8d9aa63ba2f0982b5304e1ee8d3b90a210bc1ffb5314d980eb6962f1a9715d',
          command: ['/bin/sh', '-exc', FRONTEND_CHECK],
          env: { FRONTEND_ADDR: 'frontend:80' },
        },
      ],
      env: { FRONTEND_ADDR: 'frontend:80', USERS: '10', RATE: '1' },
      resources: resources([300, 500], [256, 512]),
    });

    this.backends = {
      productcatalogservice: productCatalog,
      currencyservice: currency,
      cartservice: cart,
      recommendationservice: recommendation,
      shippingservice: shipping,
      paymentservice: payment,
      emailservice: email,
      checkoutservice: checkout,
      adservice: ad,
    };

    // Upstream has no NetworkPolicies; under the stack's default deny each call is allowed by name.
    this.frontend.calls(productCatalog, currency, cart, recommendation, shipping, checkout, ad);
    checkout.calls(productCatalog, shipping, payment, email, currency, cart);
    recommendation.calls(productCatalog);
    cart.calls(this.redis);
    this.loadGenerator.calls(this.frontend);
  }
}
