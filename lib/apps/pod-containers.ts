/**
 * The containers of a workload's pod beside the app container: init containers, which run to completion
 * before it starts, and native sidecars (init containers with `restartPolicy: Always`, Kubernetes
 * 1.29+), which start before it, run beside it and stop after it, so a Job's pod still completes. Every
 * one runs under the app's Pod Security "restricted" context and, unless told, with its resources (never
 * cdk8s-plus's 1 CPU / 512Mi), and its image is checked as the app's is.
 */
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkImage, imagePinProblem } from '../core/image.js';
import { checkDnsLabel, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import { RESTRICTED_CONTAINER } from '../security/pod-security.js';
import type { ConfigMap } from './config-map.js';
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
   * Environment variables with literal values.
   *
   * @default - none
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables from keys of Secrets made elsewhere.
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
}

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
   * CPU and memory requests and limits.
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
  /** Records that `reason` accepts an image on the moving tag `latest`. */
  waiveLatestImage(reason: string): void;
}

/** The cdk8s-plus environment of a container's props. */
export function containerEnv(
  scope: Construct,
  containerName: string,
  props: ContainerSpecProps,
): Pick<plus.ContainerProps, 'envVariables' | 'envFrom'> {
  const literal = Object.entries(props.env ?? {}).map(([key, value]): [string, plus.EnvValue] => [
    key,
    plus.EnvValue.fromValue(value),
  ]);
  const secret = Object.entries(props.secretEnv ?? {}).map(([key, ref]): [string, plus.EnvValue] => [
    key,
    plus.EnvValue.fromSecretValue({
      secret: plus.Secret.fromSecretName(scope, `SecretEnv-${containerName}-${key}`, ref.secretName),
      key: ref.key,
    }),
  ]);
  return {
    envVariables: Object.fromEntries([...literal, ...secret]),
    envFrom: (props.envFrom ?? []).map((source) =>
      'secret' in source ? plus.Env.fromSecret(source.secret) : plus.Env.fromConfigMap(source),
    ),
  };
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
  checkImage(pod, options.image, options.allowLatestImage ?? false);
  if (options.allowLatestImage && imagePinProblem(options.image) === 'latest') {
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
  const container = pod.resource.addInitContainer({
    name,
    image: options.image,
    command: options.command ? [...options.command] : undefined,
    args: options.args ? [...options.args] : undefined,
    ports,
    ...containerEnv(pod, name, options),
    resources: options.resources ?? pod.container.resources,
    securityContext: {
      ...RESTRICTED_CONTAINER,
      user: user('runAsUser', options.runAsUser),
      group: user('runAsGroup', options.runAsGroup),
    },
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
    initContainers: { [name]: { ...probes, restartPolicy: sidecar ? 'Always' : undefined } },
  }));
  return container;
}
