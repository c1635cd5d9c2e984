/**
 * The containers of a workload's pod beside the app container: init containers, which run to completion
 * before it starts, and native sidecars (init containers with `restartPolicy: Always`, Kubernetes
 * 1.29+), which start before it, run beside it and stop after it, so a Job's pod still completes. Every
 * one runs under the app's Pod Security "restricted" context and, unless told, with its resources (never
 * cdk8s-plus's 1 CPU / 512Mi), and its image is checked as the app's is.
 */
import type { Size } from 'cdk8s';
import { SizeRoundingBehavior } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkImage, imagePinProblem } from '../core/image.js';
import { checkDnsLabel, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import { RESTRICTED_ALLOWED_CAPABILITIES, RESTRICTED_CONTAINER } from '../security/pod-security.js';
import type { ConfigMap } from './config-map.js';
import { EnvSource } from './env-source.js';
import type { ExistingSecret, SecretKey } from './existing-secret.js';
import type { HealthCheck, HealthCheckKind } from './health-check.js';
import type { VolumeMount } from './pod-volume.js';
import { mountVolumes } from './pod-volume.js';

/** What every container of the library's pods is given: its process, environment and files. */
export interface ContainerSpecProps {
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
   * Environment variables: literal values, or values from elsewhere (`EnvSource`: a pod field, a request
   * or limit, a key of a ConfigMap or Secret).
   *
   * @default - none
   */
  readonly env?: Readonly<Record<string, string | EnvSource>>;
  /**
   * Environment variables from keys of Secrets made elsewhere (as `EnvSource.fromSecretKey` in `env`).
   *
   * @default - none
   */
  readonly secretEnv?: Readonly<Record<string, SecretKey>>;
  /**
   * ConfigMaps and Secrets whose keys all become environment variables.
   *
   * @default - none
   */
  readonly envFrom?: readonly (ConfigMap | ExistingSecret)[];
  /**
   * Volumes mounted into the container (`PodVolume`).
   *
   * @default - none
   */
  readonly mounts?: readonly VolumeMount[];
  /**
   * When the kubelet pulls the image: `IfNotPresent` keeps a pinned image it already has, as most upstream
   * manifests leave it; `Always` asks the registry on every start.
   *
   * @default 'Always'
   */
  readonly imagePullPolicy?: PullPolicy;
  /**
   * Capabilities added back after dropping them all, by name: only those Pod Security "restricted"
   * allows, which is `NET_BIND_SERVICE` (to bind a port below 1024 as a non-root user).
   *
   * @default - none
   */
  readonly addCapabilities?: readonly string[];
}

/** When the kubelet pulls a container's image. */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export const PULL_POLICIES: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];

export interface InitContainerOptions extends ContainerSpecProps {
  /** The container's name, unique in the pod. */
  readonly name: string;
  /** The image, pinned by a tag or digest. */
  readonly image: string;
  /**
   * Accept the moving tag `latest`, recorded as the policy waiver `image-pinned` on the workload.
   *
   * @default false
   */
  readonly allowLatestImage?: boolean;
  /**
   * CPU, memory and ephemeral storage requests and limits (ephemeral storage of any size).
   *
   * @default - the app container's
   */
  readonly resources?: plus.ContainerResources;
  /**
   * The UID the container runs as.
   *
   * @default - the pod's (the workload's runAsUser, else the image's user, which must not be root)
   */
  readonly runAsUser?: number;
  /**
   * The GID the container runs as.
   *
   * @default - the pod's
   */
  readonly runAsGroup?: number;
}

/** A port a sidecar listens on. */
export interface SidecarPort {
  readonly number: number;
  /**
   * The port's name (at most 15 characters), by which probes and PodMonitors can refer to it.
   *
   * @default - none
   */
  readonly name?: string;
}

export interface NativeSidecarOptions extends InitContainerOptions {
  /**
   * The ports the sidecar listens on.
   *
   * @default - none
   */
  readonly ports?: readonly SidecarPort[];
  /**
   * Whether the sidecar is ready; the pod is not ready without it.
   *
   * @default - none
   */
  readonly readiness?: HealthCheck;
  /**
   * Whether the sidecar must be restarted.
   *
   * @default - none
   */
  readonly liveness?: HealthCheck;
  /**
   * Whether the sidecar has started: the app container starts only after it has.
   *
   * @default - none
   */
  readonly startup?: HealthCheck;
}

/** The pod a container joins: what the workload base shares with its containers. */
export interface PodOfContainers extends Construct {
  readonly resource: plus.Workload;
  /** The app container, whose resources the others take by default. */
  readonly container: plus.Container;
  /** The app container's requests and limits, as its props give them. */
  readonly containerResources: plus.ContainerResources;
  /** Records that `reason` accepts an image on the moving tag `latest`. */
  waiveLatestImage(reason: string): void;
}

/** The cdk8s-plus environment of a container's props, each value from elsewhere checked. */
export function containerEnv(
  scope: Construct,
  containerName: string,
  props: ContainerSpecProps,
): Pick<plus.ContainerProps, 'envVariables' | 'envFrom'> {
  const both = Object.keys(props.secretEnv ?? {}).filter((name) => name in (props.env ?? {}));
  if (both.length > 0) {
    invalid(
      scope,
      `env ${show(both[0])} of container ${show(containerName)} is set by both env and secretEnv`,
      'Set it in one of them',
    );
  }
  const sources: [string, string | EnvSource][] = [
    ...Object.entries(props.env ?? {}),
    ...Object.entries(props.secretEnv ?? {}).map(([name, ref]): [string, EnvSource] => [
      name,
      EnvSource.fromSecretKey(ref.secretName, ref.key),
    ]),
  ];
  // As Kubernetes 1.34+ checks names (RelaxedEnvironmentVariableValidation, GA).
  for (const [name] of sources.filter(([n]) => !/^[\x20-\x7e]+$/.test(n) || n.includes('='))) {
    invalid(
      scope,
      `env name ${show(name)} of container ${show(containerName)} is not a valid environment variable name`,
      'Use one or more printable ASCII characters other than "="',
    );
  }
  return {
    envVariables: Object.fromEntries(
      sources.map(([name, value]) => [
        name,
        typeof value === 'string'
          ? plus.EnvValue.fromValue(value)
          : value._toEnvValue(scope, containerName, name),
      ]),
    ),
    envFrom: (props.envFrom ?? []).map((source) =>
      'secret' in source ? plus.Env.fromSecret(source.secret) : plus.Env.fromConfigMap(source),
    ),
  };
}

/**
 * The container's image pull policy and security context: Pod Security "restricted", with the UID and GID
 * given and the capabilities it allows added back. Anything else is refused here, not by the API server.
 */
export function containerSecurity(
  scope: Construct,
  containerName: string,
  props: ContainerSpecProps,
  ids: { readonly user?: number; readonly group?: number } = {},
): Pick<plus.ContainerProps, 'imagePullPolicy' | 'securityContext'> {
  const policy = props.imagePullPolicy;
  if (policy !== undefined && !PULL_POLICIES.includes(policy)) {
    invalid(
      scope,
      `imagePullPolicy of container ${show(containerName)} must be one of ${PULL_POLICIES.map(show).join(', ')}, got ${show(policy)}`,
      'Use "IfNotPresent" for a pinned image, "Always" to ask the registry on every start',
    );
  }
  const allowed: readonly string[] = RESTRICTED_ALLOWED_CAPABILITIES;
  for (const capability of props.addCapabilities ?? []) {
    if (!allowed.includes(capability)) {
      invalid(
        scope,
        `addCapabilities of container ${show(containerName)} names ${show(capability)}, which Pod Security "restricted" does not allow`,
        `Add only ${allowed.map(show).join(', ')} (without the "CAP_" prefix); run what needs more outside this namespace`,
      );
    }
  }
  const add = [...new Set(props.addCapabilities ?? [])] as plus.Capability[];
  return {
    imagePullPolicy: (policy ?? 'Always') as plus.ImagePullPolicy,
    securityContext: {
      ...RESTRICTED_CONTAINER,
      capabilities: { ...RESTRICTED_CONTAINER.capabilities, add: add.length > 0 ? add : undefined },
      user: ids.user,
      group: ids.group,
    },
  };
}

/**
 * A container's requests and limits, split into what cdk8s-plus writes and the fields it cannot:
 * cdk8s-plus-27 writes ephemeral storage in whole GiB only (and throws for any other size), so another
 * size is written as the API writes it ("256Mi") through `addFields` (lib/core/plus.ts).
 */
export function containerResources(
  scope: IConstruct,
  containerName: string,
  resources: plus.ContainerResources,
): { readonly resources: plus.ContainerResources; readonly fields?: plus.Fields } {
  const storage = resources.ephemeralStorage ?? {};
  const partial = (size: Size | undefined) =>
    size !== undefined && !Number.isInteger(size.toGibibytes({ rounding: SizeRoundingBehavior.NONE }));
  const written = (kind: 'request' | 'limit') =>
    partial(storage[kind])
      ? quantity(scope, `ephemeral storage ${kind} of container ${show(containerName)}`, storage[kind]!)
      : undefined;
  const request = written('request');
  const limit = written('limit');
  if (request === undefined && limit === undefined) {
    return { resources };
  }
  return {
    resources: {
      ...resources,
      ephemeralStorage: {
        request: request === undefined ? storage.request : undefined,
        limit: limit === undefined ? storage.limit : undefined,
      },
    },
    fields: {
      resources: {
        requests: request === undefined ? undefined : { 'ephemeral-storage': request },
        limits: limit === undefined ? undefined : { 'ephemeral-storage': limit },
      },
    },
  };
}

/** A size as a Kubernetes quantity, in the largest binary unit that holds it whole ("256Mi", "10Gi"). */
export function quantity(scope: IConstruct, what: string, size: Size): string {
  const kibibytes = size.toKibibytes({ rounding: SizeRoundingBehavior.NONE });
  const units: [number, string][] = [
    [kibibytes / 1024 ** 2, 'Gi'],
    [kibibytes / 1024, 'Mi'],
    [kibibytes, 'Ki'],
    [kibibytes * 1024, ''],
  ];
  const whole = units.find(([amount]) => Number.isInteger(amount));
  if (!whole) {
    invalid(
      scope,
      `${what} (${kibibytes} KiB) is not a whole number of bytes`,
      'Give a whole number of bytes, for example Size.mebibytes(256)',
    );
  }
  return `${whole[0]}${whole[1]}`;
}

/** The probes of `container` as the pod spec writes them, each checked against its ports. */
export function probeFields(
  scope: Construct,
  container: string,
  ports: readonly number[],
  checks: Partial<Record<HealthCheckKind, HealthCheck>>,
): plus.Fields {
  const probe = (kind: HealthCheckKind) => {
    const check = checks[kind];
    if (!check) {
      return undefined;
    }
    const port = check.portFor(ports[0]);
    if (check.checksPort && (port === undefined || !ports.includes(port))) {
      invalid(
        scope,
        `${kind} check of container ${show(container)} probes port ${show(port)}, which the container does not expose (its ports: ${ports.length ? ports.join(', ') : 'none'})`,
        ports.length === 0
          ? 'Give the container a port'
          : `Probe port ${ports.join(' or ')}, or give the container port ${show(port)}`,
      );
    }
    return check._toProbe(scope, kind, port);
  };
  return {
    readinessProbe: probe('readiness'),
    livenessProbe: probe('liveness'),
    startupProbe: probe('startup'),
  };
}

/** Adds an init container, or a native sidecar when `sidecar` is set, to `pod`. */
export function addPodContainer(
  pod: PodOfContainers,
  options: NativeSidecarOptions,
  sidecar: boolean,
): plus.Container {
  const name = checkDnsLabel(pod, 'container name', options.name);
  const taken = [...pod.resource.containers, ...pod.resource.initContainers].map((c) => c.name);
  if (taken.includes(name)) {
    invalid(
      pod,
      `the pod already has a container named ${show(name)}`,
      'Give each container a name of its own',
    );
  }
  if (!sidecar && (options.readiness || options.liveness || options.startup)) {
    invalid(
      pod,
      `init container ${show(name)} has a health check, which Kubernetes allows on sidecars only`,
      'Add it with addSidecar, or leave the checks out',
    );
  }
  const image = checkImage(pod, options.image, options.allowLatestImage ?? false);
  if (imagePinProblem(image) === 'latest') {
    pod.waiveLatestImage(`allowLatestImage is set on ${pod.node.path} for container ${show(name)}`);
  }
  const user = (prop: string, id: number | undefined) =>
    id === undefined
      ? undefined
      : checkRange(
          pod,
          `${prop} of container ${show(name)}`,
          id,
          1,
          2147483647,
          'Run as a non-root ID from 1 to 2147483647',
        );
  const ports = (options.ports ?? []).map((p) => ({
    number: checkRange(
      pod,
      `port of container ${show(name)}`,
      p.number,
      1,
      65535,
      'Use a port between 1 and 65535',
    ),
    name: p.name,
  }));
  const resources = containerResources(pod, name, options.resources ?? pod.containerResources);
  const container = pod.resource.addInitContainer({
    name,
    image,
    command: options.command ? [...options.command] : undefined,
    args: options.args ? [...options.args] : undefined,
    ports,
    ...containerEnv(pod, name, options),
    resources: resources.resources,
    ...containerSecurity(pod, name, options, {
      user: user('runAsUser', options.runAsUser),
      group: user('runAsGroup', options.runAsGroup),
    }),
  });
  mountVolumes(pod, container, options.mounts ?? []);
  const probes = probeFields(
    pod,
    name,
    ports.map((p) => p.number),
    sidecar ? options : {},
  );
  plus.addFields(pod.resource, () => ({
    // restartPolicy: the 1.27 bindings' Container has none (1.28).
    initContainers: {
      [name]: { ...probes, ...resources.fields, restartPolicy: sidecar ? 'Always' : undefined },
    },
  }));
  return container;
}
