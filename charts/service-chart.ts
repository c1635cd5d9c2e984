import { Chart, Duration, Size } from 'cdk8s';
import type { Construct } from 'constructs';
import * as plus from '../lib/core/plus.js';
import { DeploymentStrategy, HealthCheck, WebService, Alarm } from '../lib/index.js';

/** The strategy names a product team (or an environment's settings) may give. */
export const SERVICE_STRATEGIES = ['rolling', 'all-at-once', 'canary', 'blue-green'] as const;

/** A strategy by its house name, or any DeploymentStrategy. */
export type ServiceStrategy = (typeof SERVICE_STRATEGIES)[number] | DeploymentStrategy;

export interface ServiceAlarms {
  /** Share of 5xx responses above which a canary or blue/green release rolls back. @default 0.05 */
  readonly errorRate?: number;
  /** 99th percentile latency, in seconds, above which it rolls back. @default 0.5 */
  readonly latencySeconds?: number;
}

export interface ServiceChartProps {
  /** The namespace the service runs in (made by a PlatformChart). */
  readonly namespace: string;
  /** The image without its tag: `ghcr.io/acme/payments`. */
  readonly image: string;
  /** The tag (or `sha256:` digest) to run, usually an environment setting. */
  readonly tag: string;
  /** @default 8080 */
  readonly port?: number;
  /** Pods that always run. @default 2 */
  readonly replicas?: number;
  /** Scale out on CPU up to this many pods. @default - no autoscaling */
  readonly maxReplicas?: number;
  /** A host name served through the cluster's Ingress controller. @default - inside the cluster only */
  readonly domain?: string;
  /** @default 'nginx' */
  readonly ingressClassName?: string;
  /** @default - `<domain with dashes>-tls` */
  readonly tlsSecretName?: string;
  /** The HTTP path of the readiness and liveness checks. @default '/healthz' */
  readonly healthPath?: string;
  /**
   * `rolling` (a new pod first, so capacity never drops), `all-at-once`, `canary` (20% for 5 minutes,
   * then all, rolled back by the alarms) or `blue-green` (a preview checked by the alarms, then a switch).
   *
   * @default 'rolling'
   */
  readonly strategy?: ServiceStrategy;
  /** What rolls a canary or blue/green release back. */
  readonly alarms?: ServiceAlarms;
  /** CPU (millicores) and memory (MiB) of each pod, requested and limited alike. @default 250 and 256 */
  readonly cpuMillis?: number;
  readonly memoryMebibytes?: number;
  /** Plain environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The house chart for one HTTP service: a WebService under every secure default of the library (Pod
 * Security "restricted", its own ServiceAccount, default-deny NetworkPolicies), with its strategy and the
 * alarms that roll it back, from the few props a product team fills in.
 */
export class ServiceChart extends Chart {
  public readonly service: WebService;
  public readonly alarms: readonly Alarm[];

  public constructor(scope: Construct, id: string, props: ServiceChartProps) {
    super(scope, id, { namespace: props.namespace });
    const alarms = props.alarms ?? {};
    this.alarms = [
      Alarm.errorRate({ threshold: alarms.errorRate ?? 0.05 }),
      Alarm.latency({ thresholdSeconds: alarms.latencySeconds ?? 0.5 }),
    ];
    const replicas = props.replicas ?? 2;
    const cpu = props.cpuMillis ?? 250;
    const memory = props.memoryMebibytes ?? 256;
    this.service = new WebService(this, id, {
      image: `${props.image}${props.tag.startsWith('sha256:') ? '@' : ':'}${props.tag}`,
      port: props.port ?? 8080,
      replicas,
      ...(props.maxReplicas === undefined
        ? {}
        : { autoscaling: { minReplicas: replicas, maxReplicas: props.maxReplicas } }),
      readiness: HealthCheck.http(props.healthPath ?? '/healthz'),
      liveness: HealthCheck.http(props.healthPath ?? '/healthz'),
      resources: {
        cpu: { request: plus.Cpu.millis(cpu), limit: plus.Cpu.millis(cpu) },
        memory: { request: Size.mebibytes(memory), limit: Size.mebibytes(memory) },
      },
      ...(props.env === undefined ? {} : { env: props.env }),
      ...(props.domain === undefined
        ? {}
        : {
            ingress: {
              host: props.domain,
              className: props.ingressClassName ?? 'nginx',
              tlsSecretName: props.tlsSecretName ?? `${props.domain.replace(/\./g, '-')}-tls`,
            },
          }),
      strategy: this.strategyOf(props.strategy ?? 'rolling'),
    });
  }

  private strategyOf(strategy: ServiceStrategy): DeploymentStrategy {
    if (strategy instanceof DeploymentStrategy) {
      return strategy;
    }
    switch (strategy) {
      case 'rolling':
        return DeploymentStrategy.rollingWithAdditionalBatch(1);
      case 'all-at-once':
        return DeploymentStrategy.allAtOnce();
      case 'canary':
        return DeploymentStrategy.canary({
          percent: 20,
          interval: Duration.minutes(5),
          analysis: this.alarms,
        });
      case 'blue-green':
        return DeploymentStrategy.blueGreen({ prePromotionAnalysis: this.alarms });
      default:
        throw new Error(
          `${this.node.path}: strategy must be one of ${SERVICE_STRATEGIES.map((s) => `"${s}"`).join(', ')} or a DeploymentStrategy, got ${JSON.stringify(strategy)}. Use one of them`,
        );
    }
  }
}
