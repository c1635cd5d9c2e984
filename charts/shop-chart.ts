import { Duration } from 'cdk8s';
import type { Construct } from 'constructs';
import { DeploymentStrategy } from '../lib/delivery/index.js';
import {
  Alarm,
  AlertRouting,
  LogOutput,
  Monitoring,
  NotificationTarget,
  StackDashboard,
} from '../lib/monitoring/index.js';
import type { AppStackProps } from '../lib/apps/index.js';
import {
  AppStack,
  ConfigMap,
  ExistingSecret,
  HealthCheck,
  ScheduledJob,
  WebService,
  Worker,
} from '../lib/apps/index.js';

export interface ShopChartProps extends Partial<AppStackProps> {
  /**
   * The registry and tag prefix the shop's images come from.
   *
   * @default 'ghcr.io/cdk8s-devops'
   */
  readonly registry?: string;
  /**
   * The version of every shop image.
   *
   * @default '1.4.2'
   */
  readonly version?: string;
  /**
   * The Prometheus the rollouts' analyses query.
   *
   * @default DEFAULT_PROMETHEUS_ADDRESS
   */
  readonly prometheusAddress?: string;
}

/**
 * The default app: a small shop in three tiers. The web tier serves the storefront from an Ingress and
 * may call the api tier; the api reads its settings and reaches the managed database; the worker tier
 * processes orders from the api and runs a nightly report. Nothing else is allowed in or out.
 * The storefront ships blue/green behind error-rate and latency alarms; the api ships as a canary
 * whose alarms roll it back. Every service is monitored: the same alarms as alerts beside the golden
 * signals, logs shipped to Loki, a dashboard each and one for the shop, alerts routed by severity.
 */
export class ShopChart extends AppStack {
  public readonly storefront: WebService;
  public readonly api: WebService;
  public readonly ordersWorker: Worker;
  public readonly nightlyReport: ScheduledJob;
  public readonly apiConfig: ConfigMap;

  public constructor(scope: Construct, id: string, props: ShopChartProps = {}) {
    super(scope, id, { ...props, namespace: props.namespace ?? 'shop' });
    const image = (name: string) =>
      `${props.registry ?? 'ghcr.io/cdk8s-devops'}/${name}:${props.version ?? '1.4.2'}`;
    const web = this.addTier('web');
    const app = this.addTier('app');
    const workers = this.addTier('workers');

    const storefrontAlarms = [Alarm.errorRate({ threshold: 0.01 }), Alarm.latency({ thresholdSeconds: 0.3 })];
    const apiAlarms = [Alarm.errorRate({ threshold: 0.05 }), Alarm.latency({ thresholdSeconds: 0.5 })];
    this.storefront = this.createStorefront(web, image('storefront'), storefrontAlarms, props);
    this.apiConfig = new ConfigMap(app, 'api-config', {
      metadata: { name: 'api-config' },
      data: { LOG_LEVEL: 'info', PAYMENTS_URL: 'https://payments.example.com' },
    });
    this.api = this.createApi(app, image('api'), apiAlarms, props);
    const queueCredentials = new ExistingSecret(workers, 'queue-credentials', { secretName: 'orders-queue' });
    this.ordersWorker = new Worker(workers, 'orders-worker', {
      image: image('orders-worker'),
      envFrom: [queueCredentials],
      replicas: 2,
    });
    this.nightlyReport = new ScheduledJob(workers, 'nightly-report', {
      image: image('reports'),
      schedule: '0 3 * * *',
      args: ['--since', '24h'],
    });
    app.allowFrom(workers);
    this.addMonitoring(storefrontAlarms, apiAlarms);
  }

  /** The storefront: blue/green behind its alarms, served from the Ingress. */
  private createStorefront(
    web: Construct,
    image: string,
    alarms: readonly Alarm[],
    props: ShopChartProps,
  ): WebService {
    return new WebService(web, 'storefront', {
      image,
      readiness: HealthCheck.http('/ready'),
      liveness: HealthCheck.http('/healthz'),
      ingress: { host: 'shop.example.com', className: 'nginx', tlsSecretName: 'shop-example-com-tls' },
      autoscaling: { minReplicas: 2, maxReplicas: 6 },
      writableTmp: true,
      strategy: DeploymentStrategy.blueGreen({
        prePromotionAnalysis: [Alarm.errorRate({ threshold: 0.01 })],
        postPromotionAnalysis: alarms,
        scaleDownDelay: Duration.minutes(5),
        prometheusAddress: props.prometheusAddress,
      }),
    });
  }

  /** The api: a canary its alarms roll back, reading its settings, called by the storefront. */
  private createApi(
    app: Construct,
    image: string,
    alarms: readonly Alarm[],
    props: ShopChartProps,
  ): WebService {
    const api = new WebService(app, 'api', {
      image,
      env: { DB_HOST: 'shop-db.example.internal' },
      envFrom: [this.apiConfig],
      readiness: HealthCheck.http('/healthz'),
      autoscaling: { minReplicas: 2, maxReplicas: 10, cpuUtilization: 60 },
      strategy: DeploymentStrategy.canary({
        percent: 10,
        interval: Duration.minutes(5),
        analysis: alarms,
        prometheusAddress: props.prometheusAddress,
      }),
    });
    this.apiConfig.grantRead(api);
    api.allowFrom(this.storefront);
    api.allowEgressToCidr('10.20.0.0/16', { ports: [5432] });
    return api;
  }

  /** Monitoring of every service, logs to Loki, the shop's dashboard, alerts routed by severity. */
  private addMonitoring(storefrontAlarms: readonly Alarm[], apiAlarms: readonly Alarm[]): void {
    const logs = { outputs: [LogOutput.loki({ host: 'loki-gateway.monitoring.svc' })] };
    new Monitoring(this, 'storefront-monitoring', {
      workload: this.storefront,
      alarms: storefrontAlarms,
      logs,
    });
    new Monitoring(this, 'api-monitoring', { workload: this.api, alarms: apiAlarms, logs, statsd: true });
    new Monitoring(this, 'orders-worker-monitoring', { workload: this.ordersWorker, logs });
    new StackDashboard(this, 'dashboard');
    const alerting = (key: string) => ({ secretName: 'shop-alerting', key });
    new AlertRouting(this, 'alert-routing', {
      routes: {
        critical: [
          NotificationTarget.slack({ apiUrl: alerting('slack-webhook-url'), channel: '#shop-oncall' }),
          NotificationTarget.snsTopic({
            topicArn: 'arn:aws:sns:eu-west-1:123456789012:shop-critical',
            bridgeUrl: 'http://alertmanager-sns-forwarder.monitoring.svc:9087',
          }),
        ],
        warning: [
          NotificationTarget.slack({ apiUrl: alerting('slack-webhook-url'), channel: '#shop-alerts' }),
        ],
      },
    });
  }
}
