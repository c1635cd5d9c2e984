import { Chart, Duration, Size } from 'cdk8s';
import type { Construct } from 'constructs';
import * as plus from '../lib/core/plus.js';
import {
  Alarm,
  BuildProject,
  BuildSpec,
  DeploymentStrategy,
  GitCredentials,
  GitSource,
  HealthCheck,
  Monitoring,
  ReleasePipeline,
  WebService,
} from '../lib/index.js';

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
  /** The port the service listens on. @default - the WebService's (WebServiceProps.port) */
  readonly port?: number;
  /**
   * Pods that always run: with maxReplicas, the fewest the autoscaler keeps.
   *
   * @default - the WebService's (WebServiceProps.replicas), and with maxReplicas the autoscaler's
   * (AutoscalingOptions.minReplicas)
   */
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
  /**
   * Where Prometheus scrapes the service's own metrics, or false for no monitoring at all.
   *
   * @default - '/metrics' on the service's port: scraped, alarmed on (golden signals and `alarms`) and
   * drawn in a dashboard
   */
  readonly monitoring?: ServiceMonitoring | false;
  /**
   * The service's build: a Tekton pipeline that fetches the repository and runs its buildspec.
   *
   * @default - no build
   */
  readonly build?: ServiceBuild;
}

export interface ServiceMonitoring {
  /** @default '/metrics' */
  readonly metricsPath?: string;
  /** @default - the service's port */
  readonly metricsPort?: number;
}

export interface ServiceBuild {
  /** The service's git repository, https or ssh, without credentials. */
  readonly repository: string;
  /** The repository's CodeBuild buildspec (version 0.2), as YAML text or a BuildSpec. */
  readonly buildSpec: string | BuildSpec;
  /** The image the buildspec's phases run in; it needs bash. */
  readonly image: string;
  /** @default 'main' */
  readonly branch?: string;
  /**
   * A Secret holding the git credentials: `.git-credentials` and `.gitconfig` for https, a private key
   * and `known_hosts` for ssh.
   *
   * @default - anonymous access
   */
  readonly credentialsSecret?: string;
}

/** What a build step may use: small enough that a fetch or build fits a PlatformChart's default quota. */
const BUILD_STEP_RESOURCES = {
  cpuRequest: '250m',
  cpuLimit: '1',
  memoryRequest: '512Mi',
  memoryLimit: '1Gi',
};
/** Tekton's label on the pods of a pipeline's runs. */
const PIPELINE_LABEL = 'tekton.dev/pipeline';

/**
 * The house chart for one HTTP service: a WebService under every secure default of the library (Pod
 * Security "restricted", its own ServiceAccount, default-deny NetworkPolicies), with its strategy and the
 * alarms that roll it back, its monitoring (scraping, the same alarms as alerts beside the golden
 * signals, a dashboard) and, given a repository, its build, from the few props a product team fills in.
 */
export class ServiceChart extends Chart {
  public readonly service: WebService;
  public readonly alarms: readonly Alarm[];
  public readonly monitoring?: Monitoring;
  /** The pipeline that fetches and builds the repository: run it with `buildPipeline.runFor(...)`. */
  public readonly buildPipeline?: ReleasePipeline;
  public readonly buildProject?: BuildProject;

  public constructor(scope: Construct, id: string, props: ServiceChartProps) {
    super(scope, id, { namespace: props.namespace });
    const alarms = props.alarms ?? {};
    this.alarms = [
      Alarm.errorRate({ threshold: alarms.errorRate ?? 0.05 }),
      Alarm.latency({ thresholdSeconds: alarms.latencySeconds ?? 0.5 }),
    ];
    const cpu = props.cpuMillis ?? 250;
    const memory = props.memoryMebibytes ?? 256;
    this.service = new WebService(this, id, {
      image: `${props.image}${props.tag.startsWith('sha256:') ? '@' : ':'}${props.tag}`,
      port: props.port,
      replicas: props.replicas,
      ...(props.maxReplicas === undefined
        ? {}
        : { autoscaling: { minReplicas: props.replicas, maxReplicas: props.maxReplicas } }),
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
    if (props.monitoring !== false) {
      this.monitoring = new Monitoring(this, 'Monitoring', {
        workload: this.service,
        // The alarms the strategy analyses replace the golden signals of their names.
        alarms: this.alarms,
        metrics: { path: props.monitoring?.metricsPath, port: props.monitoring?.metricsPort },
      });
    }
    if (props.build) {
      [this.buildPipeline, this.buildProject] = this.buildOf(id, props.build);
    }
  }

  /** Fetch, then build: a pipeline whose pods may reach git and package registries, and nothing else. */
  private buildOf(id: string, build: ServiceBuild): [ReleasePipeline, BuildProject] {
    const branch = build.branch ?? 'main';
    const https = build.repository.startsWith('https://');
    const source = new GitSource(this, 'BuildSource', {
      url: build.repository,
      revision: branch,
      taskName: `${id}-source`,
      ...(build.credentialsSecret === undefined
        ? {}
        : {
            credentials: https
              ? GitCredentials.basicAuth(build.credentialsSecret)
              : GitCredentials.ssh(build.credentialsSecret),
          }),
    });
    const project = new BuildProject(this, 'BuildProject', {
      buildSpec:
        build.buildSpec instanceof BuildSpec
          ? build.buildSpec
          : BuildSpec.fromYaml(build.buildSpec, { source: `${this.node.path} build.buildSpec` }),
      image: build.image,
      taskName: `${id}-build`,
      resources: BUILD_STEP_RESOURCES,
    });
    const pipeline = new ReleasePipeline(this, 'BuildPipeline', {
      pipelineName: `${id}-build`,
      workspaces: ['source'],
      defaultRevision: branch,
    });
    const fetch = pipeline.addStage('source').addTask('fetch', {
      task: source,
      params: { revision: '$(params.revision)' },
      workspaces: { output: 'source' },
    });
    const artifacts = project.workspaces.some((w) => w.name === 'artifacts');
    pipeline.addStage('build').addTask('build', {
      task: project,
      params: { 'source-version': fetch.result('commit') },
      workspaces: { source: 'source', ...(artifacts ? { artifacts: 'source' } : {}) },
    });
    // Under the namespace's default deny, the build's pods reach DNS only: open HTTPS (git, package
    // registries) and SSH (git), to anywhere.
    new plus.k8s.KubeNetworkPolicy(this, 'BuildEgress', {
      metadata: { name: `${id}-build-egress` },
      spec: {
        podSelector: { matchLabels: { [PIPELINE_LABEL]: pipeline.pipelineName } },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
            ports: [443, 22].map((port) => ({
              port: plus.k8s.IntOrString.fromNumber(port),
              protocol: 'TCP',
            })),
          },
        ],
      },
    });
    return [pipeline, project];
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
