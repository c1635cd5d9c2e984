import type { Construct } from 'constructs';
import * as plus from '../lib/core/plus.js';
import { AppStack } from '../lib/index.js';

export interface NamespaceQuota {
  /** CPU all pods may request and use, in Kubernetes quantity form. @default '4' */
  readonly cpu?: string;
  /** Memory all pods may request and use. @default '8Gi' */
  readonly memory?: string;
  /** @default 40 */
  readonly pods?: number;
}

export interface PlatformChartProps {
  /** The team's namespace. */
  readonly namespace: string;
  /** What the namespace may use in total. @default - 4 CPUs, 8Gi memory, 40 pods */
  readonly quota?: NamespaceQuota;
  /**
   * The namespace Prometheus runs in, whose pods may scrape every pod of this one.
   *
   * @default 'monitoring'
   */
  readonly prometheusNamespace?: string;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/**
 * The house chart a platform team gives each product team's namespace: the Namespace with Pod Security
 * "restricted" enforced, default-deny NetworkPolicies (DNS allowed), a ResourceQuota, a LimitRange whose
 * defaults fit the library's workloads, and scrape access for the shared Prometheus.
 */
export class PlatformChart extends AppStack {
  public readonly quota: plus.k8s.KubeResourceQuota;
  public readonly limitRange: plus.k8s.KubeLimitRange;

  public constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { namespace: props.namespace });
    const quota = props.quota ?? {};
    const cpu = this.quantity('quota.cpu', quota.cpu ?? '4');
    const memory = this.quantity('quota.memory', quota.memory ?? '8Gi');
    const pods = quota.pods ?? 40;
    if (!Number.isInteger(pods) || pods < 1) {
      throw new Error(`${this.node.path}: quota.pods must be a whole number 1 or more, got ${pods}. Fix it`);
    }
    this.quota = new plus.k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: 'team-quota' },
      spec: {
        hard: {
          'requests.cpu': plus.k8s.Quantity.fromString(cpu),
          'limits.cpu': plus.k8s.Quantity.fromString(cpu),
          'requests.memory': plus.k8s.Quantity.fromString(memory),
          'limits.memory': plus.k8s.Quantity.fromString(memory),
          pods: plus.k8s.Quantity.fromNumber(pods),
        },
      },
    });
    // A quota on CPU and memory refuses pods without requests and limits: give containers that name
    // none the library's own defaults.
    this.limitRange = new plus.k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: 'container-defaults' },
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: {
              cpu: plus.k8s.Quantity.fromString('100m'),
              memory: plus.k8s.Quantity.fromString('128Mi'),
            },
            default: {
              cpu: plus.k8s.Quantity.fromString('500m'),
              memory: plus.k8s.Quantity.fromString('256Mi'),
            },
          },
        ],
      },
    });
    new plus.k8s.KubeNetworkPolicy(this, 'AllowPrometheus', {
      metadata: { name: 'allow-prometheus-scrape' },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': props.prometheusNamespace ?? 'monitoring' },
                },
              },
            ],
          },
        ],
      },
    });
  }

  private quantity(prop: string, value: string): string {
    if (!QUANTITY.test(value)) {
      throw new Error(
        `${this.node.path}: ${prop} must be a Kubernetes quantity such as "4", "500m" or "8Gi", got "${value}". Fix it`,
      );
    }
    return value;
  }
}
