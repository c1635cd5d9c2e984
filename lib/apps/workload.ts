import { Duration, Lazy, Size } from 'cdk8s';
import { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkImage, imagePinProblem } from '../core/image.js';
import { NAME_LABEL } from '../core/labels.js';
import { checkDnsLabel, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { IGrantee } from '../security/grants.js';
import type { IamIdentity } from '../security/iam-identity.js';
import type { AllowOptions, ExternalPeer, INetworkPeer } from '../security/network.js';
import { allowEgressToCidr, allowTraffic } from '../security/network.js';
import { RESTRICTED_CONTAINER, RESTRICTED_SECCOMP_PROFILE } from '../security/pod-security.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';
import type { ConfigMap } from './config-map.js';
import type { ExistingSecret } from './existing-secret.js';
import type { HealthCheck } from './health-check.js';
import { Tier } from './tier.js';
import type { WorkloadPort } from './workload-port.js';
import { checkPorts } from './workload-port.js';

export interface WorkloadProps {
  /**
   * The name of the workload's objects (Deployment or CronJob, ServiceAccount, Service).
   *
   * @default - the construct id
   */
  readonly name?: string;
  /** The container image, pinned by a tag or digest. */
  readonly image: string;
  /**
   * Accept the moving tag `latest`.
   *
   * @default false
   */
  readonly allowLatestImage?: boolean;
  /**
   * The port the container listens on.
   *
   * @default - no port
   */
  readonly port?: number;
  /**
   * Named ports the container listens on, in place of `port`; the first is the main port (probed by the
   * default readiness check). Their names and appProtocols are carried to every Service of the workload.
   *
   * @default - `port` alone
   */
  readonly ports?: readonly WorkloadPort[];
  /**
   * The container's entrypoint.
   *
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /**
   * Arguments to the entrypoint.
   *
   * @default - the image's arguments
   */
  readonly args?: readonly string[];
  /**
   * Environment variables with literal values.
   *
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * ConfigMaps and Secrets whose keys all become environment variables.
   *
   * @default - none
   */
  readonly envFrom?: readonly (ConfigMap | ExistingSecret)[];
  /**
   * CPU and memory requests and limits.
   *
   * @default - requests of 100m CPU and 128Mi memory, limits of 500m CPU and 256Mi memory
   */
  readonly resources?: plus.ContainerResources;
  /**
   * Whether the pod receives traffic.
   *
   * @default - a TCP check of the port, when there is one
   */
  readonly readiness?: HealthCheck;
  /**
   * Whether the container must be restarted.
   *
   * @default - none
   */
  readonly liveness?: HealthCheck;
  /**
   * Whether the container has started, holding off the other checks until it has.
   *
   * @default - none
   */
  readonly startup?: HealthCheck;
  /**
   * Mount an emptyDir at /tmp, since the root filesystem is read-only.
   *
   * @default false
   */
  readonly writableTmp?: boolean;
  /**
   * The UID the container runs as.
   *
   * @default - the image's user, which must not be root
   */
  readonly runAsUser?: number;
  /**
   * The GID the pod's processes run as.
   *
   * @default - the image's group
   */
  readonly runAsGroup?: number;
  /**
   * The group that owns the pod's volumes, and that every process of the pod belongs to.
   *
   * @default - volumes keep their owner
   */
  readonly fsGroup?: number;
  /**
   * How long the pod may take to stop after SIGTERM before it is killed, in seconds.
   *
   * @default 30
   */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * Labels of the pods, beside the library's own (`app.kubernetes.io/name`, the tier's), which they may not set.
   *
   * @default - none
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /**
   * Annotations of the pods.
   *
   * @default - none
   */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /**
   * The AWS IAM role the ServiceAccount assumes on EKS.
   *
   * @default - none
   */
  readonly iamIdentity?: IamIdentity;
  /**
   * Mount a ServiceAccount token even without grants. A grant turns this on by itself.
   *
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Spread the pods evenly across zones (`topology.kubernetes.io/zone`), as far as the scheduler can.
   *
   * @default true
   */
  readonly spreadAcrossZones?: boolean;
}

/** How a concrete workload makes its Kubernetes resource from the pod the base class assembles. */
export interface WorkloadResourceFactory {
  create(scope: Construct, pod: plus.WorkloadProps & { metadata: { name: string } }): plus.Workload;
}

const DEFAULT_RESOURCES: plus.ContainerResources = {
  cpu: { request: plus.Cpu.millis(100), limit: plus.Cpu.millis(500) },
  memory: { request: Size.mebibytes(128), limit: Size.mebibytes(256) },
};

/**
 * The part every workload shares: one container under Pod Security "restricted", its own
 * ServiceAccount with no API token until something is granted, zone spread, and network allows. A
 * workload (WebService, Worker, ScheduledJob) extends it once and adds its own parts beside it (the
 * replicas of `replication.ts`, the Service of `exposure.ts`, a strategy's objects); no workload
 * extends another.
 */
export abstract class Workload extends Construct implements IGrantee, INetworkPeer, plus.ISubject {
  public readonly name: string;
  /** The main port: `port`, or the first of `ports`. */
  public readonly port?: number;
  /** The named ports; empty when the workload has `port` alone. */
  public readonly ports: readonly WorkloadPort[];
  public readonly serviceAccount: plus.ServiceAccount;
  public readonly resource: plus.Workload;
  public readonly container: plus.Container;
  public readonly ingressPorts: readonly number[];
  private apiAccess: boolean;

  protected constructor(
    scope: Construct,
    id: string,
    props: WorkloadProps,
    factory: WorkloadResourceFactory,
  ) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', props.name ?? id);
    checkImage(this, props.image, props.allowLatestImage ?? false);
    ({ port: this.port, ports: this.ports } = checkPorts(this, props.port, props.ports));
    this.ingressPorts =
      this.ports.length > 0 ? this.ports.map((p) => p.number) : this.port === undefined ? [] : [this.port];
    this.apiAccess = props.automountServiceAccountToken ?? false;

    this.serviceAccount = new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name },
      automountToken: false,
    });
    props.iamIdentity?._bind(this, this.serviceAccount);

    const tier = Tier.of(this);
    this.resource = factory.create(this, {
      // Selected by name, never by cdk8s-plus's hash of the construct path: a selector is immutable, so
      // it must survive moving the construct to another tier or renaming its id.
      select: false,
      metadata: { name: this.name, labels: { [NAME_LABEL]: this.name } },
      podMetadata: {
        labels: { ...this.podLabels(props.podLabels, tier), [NAME_LABEL]: this.name, ...tier?.podSelector },
        annotations: props.podAnnotations ? { ...props.podAnnotations } : undefined,
      },
      terminationGracePeriod:
        props.terminationGracePeriodSeconds === undefined
          ? undefined
          : Duration.seconds(
              checkRange(
                this,
                'terminationGracePeriodSeconds',
                props.terminationGracePeriodSeconds,
                0,
                Number.MAX_SAFE_INTEGER,
                'Give the pod 0 or more seconds to stop',
              ),
            ),
      serviceAccount: this.serviceAccount,
      // A grant made after this point still mounts the token: the value is read when the pod spec is.
      automountServiceAccountToken: Lazy.any({ produce: () => this.apiAccess }) as boolean,
      securityContext: {
        ensureNonRoot: true,
        user: props.runAsUser,
        group: props.runAsGroup,
        fsGroup: props.fsGroup,
      },
    });
    this.resource.select(plus.LabelSelector.of({ labels: { [NAME_LABEL]: this.name } }));
    this.container = this.resource.addContainer({
      name: this.name,
      image: props.image,
      // `ports`, not `portNumber`: with a port number cdk8s-plus adds a TCP startup probe of its own.
      // The library adds no probe the props do not ask for, but the default readiness check below.
      ports:
        this.ports.length > 0
          ? this.ports.map((p) => ({ number: p.number, name: p.name }))
          : this.port === undefined
            ? undefined
            : [{ number: this.port }],
      command: props.command ? [...props.command] : undefined,
      args: props.args ? [...props.args] : undefined,
      envVariables: Object.fromEntries(
        Object.entries(props.env ?? {}).map(([key, value]) => [key, plus.EnvValue.fromValue(value)]),
      ),
      envFrom: (props.envFrom ?? []).map((source) =>
        'secret' in source ? plus.Env.fromSecret(source.secret) : plus.Env.fromConfigMap(source),
      ),
      resources: props.resources ?? DEFAULT_RESOURCES,
      readiness: this.probe('readiness', props.readiness),
      liveness: this.probe('liveness', props.liveness),
      startup: this.probe('startup', props.startup),
      securityContext: { ...RESTRICTED_CONTAINER, user: props.runAsUser },
    });
    if (props.allowLatestImage && imagePinProblem(props.image) === 'latest') {
      this.resource.metadata.addAnnotation(
        `${WAIVER_ANNOTATION_PREFIX}image-pinned`,
        `allowLatestImage is set on ${this.node.path}`,
      );
    }
    if (props.writableTmp) {
      this.container.mount('/tmp', plus.Volume.fromEmptyDir(this, 'Tmp', 'tmp'));
    }

    // Pod settings cdk8s-plus-27 has no setting for (lib/core/plus.ts).
    const spread = props.spreadAcrossZones ?? true;
    plus.addFields(this.resource, () => ({
      podSpec: {
        securityContext: { seccompProfile: RESTRICTED_SECCOMP_PROFILE },
        topologySpreadConstraints: spread
          ? [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: this.resource.matchLabels },
              },
            ]
          : undefined,
      },
    }));
  }

  public get peerName(): string {
    return this.name;
  }

  /** The labels that select this workload's pods. */
  public get podSelector(): Readonly<Record<string, string>> {
    return this.resource.matchLabels;
  }

  /** Its ServiceAccount, for cdk8s-plus RoleBindings (`configMap.permissions.grantRead(workload)`). */
  public toSubjectConfiguration(): plus.SubjectConfiguration {
    return this.serviceAccount.toSubjectConfiguration();
  }

  public enableApiAccess(): void {
    this.apiAccess = true;
  }

  /** Lets the pods of `peer` connect to this workload's port. Returns the ingress and egress policies. */
  public allowFrom(peer: INetworkPeer | ExternalPeer, options: AllowOptions = {}) {
    return allowTraffic(peer, this, options);
  }

  /**
   * The call graph: lets this workload's pods call each of `targets` on the target's ports (an egress
   * policy here, an ingress policy there, namespace selectors across AppStacks). Returns the policies.
   */
  public calls(...targets: INetworkPeer[]): plus.k8s.KubeNetworkPolicy[] {
    return targets.flatMap((target) => allowTraffic(this, target));
  }

  /** Lets this workload's pods connect to addresses in an IPv4 CIDR block, on `ports` or every port. */
  public allowEgressToCidr(cidr: string, options: { readonly ports?: readonly number[] } = {}) {
    return allowEgressToCidr(this, cidr, options);
  }

  /** The user's pod labels, which may not take over the labels that select the pods. */
  private podLabels(
    labels: Readonly<Record<string, string>> = {},
    tier: Tier | undefined,
  ): Record<string, string> {
    const reserved = [NAME_LABEL, ...Object.keys(tier?.podSelector ?? {})].filter((key) => key in labels);
    if (reserved.length > 0) {
      invalid(
        this,
        `podLabels sets ${reserved.map(show).join(', ')}, which the library sets to select the pods`,
        'Leave it out: the name comes from the name prop, the tier labels from the tier',
      );
    }
    return { ...labels };
  }

  private probe(kind: string, check: HealthCheck | undefined): plus.Probe | undefined {
    if (!check) {
      return kind === 'readiness' && this.port !== undefined
        ? plus.Probe.fromTcpSocket({ port: this.port })
        : undefined;
    }
    if (!check.checksPort) {
      return check._bind(undefined);
    }
    const port = check.portFor(this.port);
    if (port === undefined || !this.ingressPorts.includes(port)) {
      const exposed =
        this.ingressPorts.length > 1 ? `ports: ${this.ingressPorts.join(', ')}` : `port: ${show(this.port)}`;
      invalid(
        this,
        `${kind} check probes port ${show(port)}, which the container does not expose (its ${exposed})`,
        this.port === undefined
          ? 'Set port on the workload'
          : this.ingressPorts.length > 1
            ? 'Probe one of its ports, or add the port to ports'
            : `Probe port ${this.port}, or change the workload's port`,
      );
    }
    return check._bind(port);
  }
}
