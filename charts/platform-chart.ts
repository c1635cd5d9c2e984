import type { Construct } from 'constructs';
import * as plus from '../lib/core/plus.js';
import type { NotificationTarget, Severity } from '../lib/index.js';
import { AlertRouting, AppStack, NamespaceMonitoring } from '../lib/index.js';

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
  /**
   * The ServiceAccount the Prometheus runs as, which may discover the namespace's scrape targets.
   *
   * @default 'prometheus-k8s' (kube-prometheus's)
   */
  readonly prometheusServiceAccount?: string;
  /**
   * Where the namespace's alerts go, by severity (an AlertmanagerConfig); the team's Slack URLs and
   * passwords come from Secrets in the namespace.
   *
   * @default - no routes of the namespace's own: Alertmanager's global routing decides
   */
  readonly alerts?: Partial<Record<Severity, readonly NotificationTarget[]>>;
  /**
   * The namespace's own alarms and dashboard (NamespaceMonitoring); false on a cluster without the
   * Prometheus Operator, whose CRDs the PrometheusRule needs.
   *
   * @default true
   */
  readonly monitoring?: boolean;
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/**
 * The house chart a platform team gives each product team's namespace: the Namespace with Pod Security
 * "restricted" enforced, default-deny NetworkPolicies (DNS allowed), a ResourceQuota, a LimitRange whose
 * defaults fit the library's workloads, and the shared monitoring: scrape access for the shared
 * Prometheus (network and discovery), the namespace's own alarms (quota, crash loops, pending pods) with
 * a dashboard, and the routing of the namespace's alerts. An AppStack given it as `platform` uses its
 * namespace and policies.
 */
export class PlatformChart extends AppStack {
  public readonly quota: plus.k8s.KubeResourceQuota;
  public readonly limitRange: plus.k8s.KubeLimitRange;
  public readonly monitoring?: NamespaceMonitoring;
  public readonly alertRouting?: AlertRouting;

  public constructor(scope: Construct, id: string, props: PlatformChartProps) {
    super(scope, id, { namespace: props.namespace });
    this.quota = this.createQuota(props.quota ?? {});
    this.limitRange = this.createLimitRange();
    this.allowPrometheus(props);
    if (props.monitoring ?? true) {
      this.monitoring = new NamespaceMonitoring(this, 'Monitoring');
    }
    if (props.alerts) {
      this.alertRouting = new AlertRouting(this, 'AlertRouting', { routes: props.alerts });
    }
  }

  /** The namespace's ResourceQuota on CPU, memory and pods, checked. */
  private createQuota(options: NamespaceQuota): plus.k8s.KubeResourceQuota {
    const cpu = this.quantity('quota.cpu', options.cpu ?? '4');
    const memory = this.quantity('quota.memory', options.memory ?? '8Gi');
    const pods = options.pods ?? 40;
    if (!Number.isInteger(pods) || pods < 1) {
      throw new Error(`${this.node.path}: quota.pods must be a whole number 1 or more, got ${pods}. Fix it`);
    }
    return new plus.k8s.KubeResourceQuota(this, 'Quota', {
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
  }

  private createLimitRange(): plus.k8s.KubeLimitRange {
    // A quota on CPU and memory refuses pods without requests and limits: give containers that name
    // none the library's own defaults.
    return new plus.k8s.KubeLimitRange(this, 'Limits', {
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
  }

  /** The shared Prometheus may scrape every pod (network) and discover the scrape targets (RBAC). */
  private allowPrometheus(props: PlatformChartProps): void {
    const prometheusNamespace = props.prometheusNamespace ?? 'monitoring';
    new plus.k8s.KubeNetworkPolicy(this, 'AllowPrometheus', {
      metadata: { name: 'allow-prometheus-scrape' },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': prometheusNamespace } } },
            ],
          },
        ],
      },
    });
    // A Prometheus restricted to the namespaces it is given (as kube-prometheus sets it up) discovers
    // the ServiceMonitors' and PodMonitors' targets with these reads, and nothing more.
    const discovery = new plus.k8s.KubeRole(this, 'PrometheusDiscovery', {
      metadata: { name: 'prometheus-discovery' },
      rules: [
        { apiGroups: [''], resources: ['services', 'endpoints', 'pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new plus.k8s.KubeRoleBinding(this, 'PrometheusDiscoveryBinding', {
      metadata: { name: 'prometheus-discovery' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: discovery.name },
      subjects: [
        {
          kind: 'ServiceAccount',
          name: props.prometheusServiceAccount ?? 'prometheus-k8s',
          namespace: prometheusNamespace,
        },
      ],
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
