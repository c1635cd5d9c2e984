import { Duration, Lazy } from 'cdk8s';
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
import { RESTRICTED_SECCOMP_PROFILE } from '../security/pod-security.js';
import { WAIVER_ANNOTATION_PREFIX } from '../security/policy.js';
import { HealthCheck } from './health-check.js';
import type {
  ContainerSpecProps,
  InitContainerOptions,
  PodOfContainers,
  NativeSidecarOptions,
} from './pod-containers.js';
import {
  addPodContainer,
  containerEnv,
  containerResources,
  containerSecurity,
  probeFields,
} from './pod-containers.js';
import type { VolumeMount } from './pod-volume.js';
import { mountVolumes, PodVolume } from './pod-volume.js';
import type { PodSchedulingProps } from './pod-scheduling.js';
import { podScheduling } from './pod-scheduling.js';
import { Tier } from './tier.js';
import type { WorkloadPort } from './workload-port.js';
import { checkCalledPorts, checkPorts } from './workload-port.js';
import type { WorkloadResourceFactory } from './workload-resource.js';
import { DEFAULT_RESOURCES } from './workload-resource.js';

export interface WorkloadProps extends ContainerSpecProps, PodSchedulingProps {
  /**
   * The name of the workload's objects (Deployment or CronJob, ServiceAccount, Service).
   *
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * The name of the app container.
   *
   * @default - the workload's name
   */
  readonly containerName?: string;
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
   * CPU, memory and ephemeral storage requests and limits (ephemeral storage of any size).
   *
   * @default - the workload kind's (docs/apps.md, "Defaults per workload kind"): for a StatefulService requests
   * of 250m CPU and 512Mi memory, limits of 1 CPU and 1Gi; for the others requests of 100m CPU and
   * 128Mi memory, limits of 500m CPU and 256Mi memory
   */
  readonly resources?: plus.ContainerResources;
  /**
   * Whether the pod receives traffic; `HealthCheck.none()` for no check at all.
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
   * Groups every process of the pod belongs to, beside its primary group (for files on shared volumes).
   *
   * @default - none
   */
  readonly supplementalGroups?: readonly number[];
  /**
   * Containers that run to completion, in order, before the app container starts.
   *
   * @default - none
   */
  readonly initContainers?: readonly InitContainerOptions[];
  /**
   * Native sidecars: containers that start before the app container and run beside it.
   *
   * @default - none
   */
  readonly sidecars?: readonly NativeSidecarOptions[];
}

/**
 * The part every workload shares: the app container, with its init containers and native sidecars
 * (`pod-containers.ts`) and volumes (`pod-volume.ts`), under Pod Security "restricted", its own
 * ServiceAccount with no API token until something is granted, zone spread, and network allows. A
 * workload (WebService, Worker, ScheduledJob) extends it once and adds its own parts beside it (the
 * replicas of `replication.ts`, the Service of `exposure.ts`, a strategy's objects); no workload
 * extends another.
 */
export abstract class Workload
  extends Construct
  implements IGrantee, INetworkPeer, plus.ISubject, PodOfContainers
{
  public readonly name: string;
  /** The main port: `port`, or the first of `ports`. */
  public readonly port?: number;
  /** The named ports; empty when the workload has `port` alone. */
  public readonly ports: readonly WorkloadPort[];
  public readonly serviceAccount: plus.ServiceAccount;
  public readonly resource: plus.Workload;
  public readonly container: plus.Container;
  /** The app container's requests and limits, which init containers and sidecars take by default. */
  public readonly containerResources: plus.ContainerResources;
  public readonly ingressPorts: readonly number[];
  private apiAccess: boolean;
  private readonly latestImageWaivers: string[] = [];

  protected constructor(
    scope: Construct,
    id: string,
    props: WorkloadProps,
    factory: WorkloadResourceFactory,
  ) {
    super(scope, id);
    // Validate what names the objects and the ports, before anything is created.
    this.name = checkDnsLabel(this, 'name', props.name ?? id);
    const image = checkImage(this, props.image, props.allowLatestImage ?? false);
    ({ port: this.port, ports: this.ports } = checkPorts(this, props.port, props.ports));
    this.ingressPorts =
      this.ports.length > 0 ? this.ports.map((p) => p.number) : this.port === undefined ? [] : [this.port];
    this.apiAccess = props.automountServiceAccountToken ?? false;
    // Create the objects and the pod's parts; each step checks its own props.
    this.serviceAccount = this.createServiceAccount(props.iamIdentity);
    this.resource = this.createResource(props, factory);
    this.containerResources = props.resources ?? factory.defaultResources ?? DEFAULT_RESOURCES;
    const app = this.addAppContainer(image, props);
    this.container = app.container;
    this.mountAppVolumes(props);
    const probes = this.appProbes(app.name, props);
    this.addPodContainers(props);
    // What cdk8s-plus cannot write, written when the resource is synthesized.
    this.renderLazily(props, { [app.name]: { ...probes, ...app.fields } });
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
  public calls(...targets: INetworkPeer[]): plus.k8s.KubeNetworkPolicy[];
  /** Lets this workload's pods call `target` on `options.ports` alone (of its app or sidecar ports). */
  public calls(target: INetworkPeer, options: AllowOptions): plus.k8s.KubeNetworkPolicy[];
  public calls(...args: (INetworkPeer | AllowOptions)[]): plus.k8s.KubeNetworkPolicy[] {
    const last = args.at(-1);
    if (args.length === 2 && last !== undefined && !Construct.isConstruct(last)) {
      const target = args[0] as INetworkPeer;
      const known = target instanceof Workload ? target.podPorts : [];
      return allowTraffic(this, target, {
        ports: checkCalledPorts(this, target.peerName, known, last.ports),
      });
    }
    return (args as INetworkPeer[]).flatMap((target) => allowTraffic(this, target));
  }

  /** Lets this workload's pods connect to addresses in an IPv4 CIDR block, on `ports` or every port. */
  public allowEgressToCidr(cidr: string, options: { readonly ports?: readonly number[] } = {}) {
    return allowEgressToCidr(this, cidr, options);
  }

  /** Mounts `volume` into the app container at `path` (read-only for configuration volumes). */
  public mount(path: string, volume: PodVolume, options: Omit<VolumeMount, 'path' | 'volume'> = {}): void {
    mountVolumes(this, this.container, [{ path, volume, ...options }]);
  }

  /** Adds a container that runs to completion before the app container starts, after those added before. */
  public addInitContainer(options: InitContainerOptions): plus.Container {
    return addPodContainer(this, options, false);
  }

  /**
   * Adds a native sidecar (an init container with `restartPolicy: Always`, Kubernetes 1.29+): it starts
   * before the app container, runs beside it and stops after it; a Job's pod still completes.
   */
  public addSidecar(options: NativeSidecarOptions): plus.Container {
    return addPodContainer(this, options, true);
  }

  /** Records on the workload the `image-pinned` waiver, for an image on the tag `latest`, with `reason`. */
  public waiveLatestImage(reason: string): void {
    this.latestImageWaivers.push(reason);
    this.resource.metadata.addAnnotation(
      `${WAIVER_ANNOTATION_PREFIX}image-pinned`,
      this.latestImageWaivers.join('; '),
    );
  }

  /** Every port a container of the pod declares: the app container's and the sidecars'. */
  public get podPorts(): readonly number[] {
    return [...this.resource.containers, ...this.resource.initContainers].flatMap((c) =>
      c.ports.map((p) => p.number),
    );
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

  /** Its own ServiceAccount, with no API token until something is granted. */
  private createServiceAccount(iamIdentity: IamIdentity | undefined): plus.ServiceAccount {
    const serviceAccount = new plus.ServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name },
      automountToken: false,
    });
    iamIdentity?._bind(this, serviceAccount);
    return serviceAccount;
  }

  /** The kind's resource (Deployment, StatefulSet, CronJob) with the pod settings every workload shares. */
  private createResource(props: WorkloadProps, factory: WorkloadResourceFactory): plus.Workload {
    const tier = Tier.of(this);
    const resource = factory.create(this, {
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
    resource.select(plus.LabelSelector.of({ labels: { [NAME_LABEL]: this.name } }));
    return resource;
  }

  /** The app container, and the resource fields cdk8s-plus cannot write, for `renderLazily`. */
  private addAppContainer(
    image: string,
    props: WorkloadProps,
  ): { readonly container: plus.Container; readonly name: string; readonly fields?: plus.Fields } {
    const name = checkDnsLabel(this, 'containerName', props.containerName ?? this.name);
    const resources = containerResources(this, name, this.containerResources);
    const container = this.resource.addContainer({
      name,
      image,
      // `ports`, not `portNumber`: with a port number cdk8s-plus adds a TCP startup probe of its own.
      // The library adds no probe the props do not ask for, but the default readiness check.
      ports:
        this.ports.length > 0
          ? this.ports.map((p) => ({ number: p.number, name: p.name }))
          : this.port === undefined
            ? undefined
            : [{ number: this.port }],
      command: props.command ? [...props.command] : undefined,
      args: props.args ? [...props.args] : undefined,
      ...containerEnv(this, name, props),
      resources: resources.resources,
      ...containerSecurity(this, name, props, { user: props.runAsUser }),
    });
    if (imagePinProblem(image) === 'latest') {
      this.waiveLatestImage(`allowLatestImage is set on ${this.node.path}`);
    }
    return { container, name, fields: resources.fields };
  }

  private mountAppVolumes(props: WorkloadProps): void {
    if (props.writableTmp) {
      this.mount('/tmp', PodVolume.emptyDir('tmp'));
    }
    mountVolumes(this, this.container, props.mounts ?? []);
  }

  /** The app container's probes, checked now and written when the pod spec is. */
  private appProbes(containerName: string, props: WorkloadProps): plus.Fields {
    return probeFields(this, containerName, this.ingressPorts, {
      // A TCP check of the port unless told otherwise; no other probe the props do not ask for.
      readiness: props.readiness ?? (this.port === undefined ? undefined : HealthCheck.tcp()),
      liveness: props.liveness,
      startup: props.startup,
    });
  }

  private addPodContainers(props: WorkloadProps): void {
    for (const init of props.initContainers ?? []) {
      this.addInitContainer(init);
    }
    for (const sidecar of props.sidecars ?? []) {
      this.addSidecar(sidecar);
    }
  }

  /**
   * Pod settings cdk8s-plus-27 has no setting for, and the probes it cannot write (lib/core/plus.ts):
   * checked now, written when the resource is synthesized.
   */
  private renderLazily(props: WorkloadProps, containers: Readonly<Record<string, plus.Fields>>): void {
    const scheduling = podScheduling(this, props, this.resource.matchLabels);
    plus.addFields(this.resource, () => ({
      podSpec: {
        securityContext: {
          seccompProfile: RESTRICTED_SECCOMP_PROFILE,
          supplementalGroups: props.supplementalGroups ? [...props.supplementalGroups] : undefined,
        },
        ...scheduling,
      },
      containers,
    }));
  }
}
