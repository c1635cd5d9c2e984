import { Size, SizeRoundingBehavior } from 'cdk8s';
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { ServicePortSpec } from '../core/services.js';
import { podService } from '../core/services.js';
import type { AdditionalServiceOptions, ServiceMetadata } from './exposure.js';
import { quantity } from './pod-containers.js';
import { addServices, checkServiceMetadata, servicePorts } from './exposure.js';
import type { DisruptionBudgetOptions } from './replication.js';
import { disruptionBudget } from './replication.js';
import { ServiceKind } from './service-kind.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';

export const POD_MANAGEMENT = ['ordered', 'parallel'] as const;
/** How a StatefulSet starts and stops its pods: one after another in order, or all at once. */
export type PodManagement = (typeof POD_MANAGEMENT)[number];

export const ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadOnlyMany', 'ReadWriteMany'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** Another container of the pod that mounts a claim, such as an init container that seeds it. */
export interface ClaimMount {
  /** The name of an init container or sidecar of the workload (given in its props). */
  readonly container: string;
  /**
   * Where that container sees the volume, writable.
   *
   * @default - the claim's mountPath
   */
  readonly path?: string;
}

/** A volume of its own for every pod, claimed when the pod first starts and kept across restarts. */
export interface VolumeClaimTemplate {
  /** The name of the volume, and of the claims (`<name>-<workload>-0`, ...). */
  readonly name: string;
  /** Where the container sees the volume, writable. */
  readonly mountPath: string;
  /** The storage each claim requests. */
  readonly storage: Size;
  /**
   * The StorageClass that provisions the volumes.
   *
   * @default - the cluster's default StorageClass
   */
  readonly storageClassName?: string;
  /**
   * How the volume may be mounted.
   *
   * @default ['ReadWriteOnce']
   */
  readonly accessModes?: readonly AccessMode[];
  /**
   * Init containers and sidecars that mount the claim too, beside the app container: an init container
   * that seeds the volume from the image on the pod's first start, for one.
   *
   * @default - the app container alone
   */
  readonly containerMounts?: readonly ClaimMount[];
}

/** What a database needs beyond a web service's defaults, so that it is not OOM-killed under load. */
const STATEFUL_RESOURCES: plus.ContainerResources = {
  cpu: { request: plus.Cpu.millis(250), limit: plus.Cpu.units(1) },
  memory: { request: Size.mebibytes(512), limit: Size.gibibytes(1) },
};

export interface StatefulServiceProps extends WorkloadProps {
  /**
   * How many pods run, each with its own name (`<name>-0`, `<name>-1`, ...) and volumes.
   *
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Start and stop the pods one after another, each waiting for the one before to be ready (`ordered`),
   * or all at once (`parallel`), for systems whose members find each other by themselves.
   *
   * @default 'ordered'
   */
  readonly podManagement?: PodManagement;
  /**
   * Volumes of every pod's own, from claim templates.
   *
   * @default - none
   */
  readonly volumeClaims?: readonly VolumeClaimTemplate[];
  /**
   * Keep node drains from taking down too many pods at once.
   *
   * @default - a PodDisruptionBudget with maxUnavailable 1 when more than one replica runs
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * The port the Service exposes the workload's `port` on. With `ports`, set each port's servicePort.
   *
   * @default - the container port
   */
  readonly servicePort?: number;
  /**
   * The kind of the Service named like the workload, which gives the pods their DNS names.
   *
   * @default ServiceKind.headless()
   */
  readonly serviceKind?: ServiceKind;
  /**
   * Labels and annotations of the Service named like the workload.
   *
   * @default - the library's labels only
   */
  readonly serviceMetadata?: ServiceMetadata;
  /**
   * More Services in front of the same pods, such as a ClusterIP Service for clients that need no
   * particular pod, or an external load balancer.
   *
   * @default - none
   */
  readonly additionalServices?: readonly AdditionalServiceOptions[];
}

/**
 * A database or cache: a StatefulSet whose pods keep their names and volumes, behind a headless Service
 * that gives each pod a DNS name (`db-0.db`), with a disruption budget, under the secure defaults of
 * every workload. Built from the same parts as a WebService (`exposure.ts`, `replication.ts`).
 */
export class StatefulService extends Workload {
  public readonly statefulSet: plus.StatefulSet;
  /** The Service named like the workload, which governs the pods' DNS names. */
  public readonly service: plus.Service;
  /** The port the Service exposes the main port on. */
  public readonly servicePort: number;
  /** The Services beside the one named like the workload. */
  public readonly additionalServices: readonly plus.Service[];
  public readonly replicas: number;
  public readonly disruptionBudget?: plus.k8s.KubePodDisruptionBudget;

  public constructor(scope: Construct, id: string, props: StatefulServiceProps) {
    // cdk8s-plus's StatefulSet needs its Service when it is created, before the pods can be selected.
    let service: plus.Service | undefined;
    let ports: ServicePortSpec[] = [];
    super(scope, id, props, {
      defaultResources: STATEFUL_RESOURCES,
      create: (scope, pod) => {
        // The workload base calls this with the workload itself, its ports already checked.
        const workload = scope as StatefulService;
        if (workload.port === undefined) {
          invalid(
            workload,
            'a StatefulService needs a port for its Service',
            'Set port, or ports with the main port first',
          );
        }
        ports = servicePorts(workload, props.servicePort, workload.port);
        service = governingService(workload, props, ports);
        return new plus.StatefulSet(workload, 'Resource', {
          ...pod,
          service,
          replicas: props.replicas ?? 1,
          podManagementPolicy:
            props.podManagement === 'parallel'
              ? plus.PodManagementPolicy.PARALLEL
              : plus.PodManagementPolicy.ORDERED_READY,
        });
      },
    });
    this.statefulSet = this.resource as plus.StatefulSet;
    this.service = service!;
    // cdk8s-plus's StatefulSet selects its Service's pods by a hash of the construct path, which changes
    // when the construct moves; the pods are selected by name alone, as every workload's.
    plus.addFields(this.service, () => ({ spec: { selector: () => ({ ...this.statefulSet.matchLabels }) } }));
    this.servicePort = this.service.port;
    this.replicas = checkRange(
      this,
      'replicas',
      props.replicas ?? 1,
      0,
      Number.MAX_SAFE_INTEGER,
      'Set replicas to 0 or a positive whole number',
    );
    if (props.podManagement !== undefined && !POD_MANAGEMENT.includes(props.podManagement)) {
      invalid(
        this,
        `podManagement must be one of ${POD_MANAGEMENT.map(show).join(', ')}, got ${show(props.podManagement)}`,
        'Use "ordered" to start the pods one after another, "parallel" to start them all at once',
      );
    }
    this.additionalServices = addServices(this, ports, props.additionalServices);
    this.disruptionBudget = disruptionBudget(this, this.statefulSet, this.replicas, props.disruptionBudget);
    this.claimVolumes(props.volumeClaims ?? []);
  }

  /** The claim templates, and their mounts in the container: cdk8s-plus-27 has neither (lib/core/plus.ts). */
  private claimVolumes(claims: readonly VolumeClaimTemplate[]): void {
    claims.forEach((claim, i) => {
      const prop = `volumeClaims[${i}]`;
      checkDnsLabel(this, `${prop}.name`, claim.name);
      if (claims.findIndex((other) => other.name === claim.name) !== i) {
        invalid(this, `two volume claims are named ${show(claim.name)}`, 'Give each claim a name of its own');
      }
      if (!claim.mountPath.startsWith('/')) {
        invalid(
          this,
          `${prop}.mountPath must be an absolute path, got ${show(claim.mountPath)}`,
          `Start the path with "/", for example ${show(`/${claim.mountPath}`)}`,
        );
      }
      if ((claim.accessModes ?? ['ReadWriteOnce']).length === 0) {
        invalid(this, `${prop}.accessModes is empty`, 'Leave it out for ReadWriteOnce, or name a mode');
      }
      if (claim.storage.toMebibytes({ rounding: SizeRoundingBehavior.NONE }) <= 0) {
        invalid(
          this,
          `${prop}.storage must be above 0`,
          'Request some storage, for example Size.gibibytes(1)',
        );
      }
      this.checkClaimMounts(prop, claim);
    });
    if (claims.length === 0) {
      return;
    }
    plus.addFields(this.statefulSet, () => ({
      spec: {
        volumeClaimTemplates: claims.map((claim, i) => ({
          metadata: { name: claim.name },
          spec: {
            accessModes: [...(claim.accessModes ?? ['ReadWriteOnce'])],
            resources: {
              requests: { storage: quantity(this, `volumeClaims[${i}].storage`, claim.storage) },
            },
            storageClassName: claim.storageClassName,
          },
        })),
      },
      containers: { [this.container.name]: { volumeMounts: addMounts(claims.map((c) => [c, c.mountPath])) } },
      initContainers: Object.fromEntries(
        this.resource.initContainers.map((c) => [
          c.name,
          {
            volumeMounts: addMounts(
              claims.flatMap((claim) =>
                (claim.containerMounts ?? [])
                  .filter((m) => m.container === c.name)
                  .map((m): [VolumeClaimTemplate, string] => [claim, m.path ?? claim.mountPath]),
              ),
            ),
          },
        ]),
      ),
    }));
  }

  /** Each other container that mounts `claim` is an init container or sidecar of the pod, once. */
  private checkClaimMounts(prop: string, claim: VolumeClaimTemplate): void {
    const names = this.resource.initContainers.map((c) => c.name);
    (claim.containerMounts ?? []).forEach((mount, i) => {
      if (!names.includes(mount.container)) {
        invalid(
          this,
          `${prop}.containerMounts[${i}] names container ${show(mount.container)}, which is no init container or sidecar of the workload (they are: ${names.length ? names.map(show).join(', ') : 'none'})`,
          mount.container === this.container.name
            ? 'Leave the app container out: it mounts the claim at mountPath already'
            : 'Name one of them, given in the initContainers or sidecars prop',
        );
      }
      if (!(mount.path ?? claim.mountPath).startsWith('/')) {
        invalid(
          this,
          `${prop}.containerMounts[${i}].path must be an absolute path, got ${show(mount.path)}`,
          `Start the path with "/", for example ${show(`/${mount.path}`)}`,
        );
      }
    });
  }
}

/** A container's volume mounts with `mounts` (a claim and where) added after those it has. */
function addMounts(mounts: readonly [VolumeClaimTemplate, string][]) {
  return (current: unknown) =>
    mounts.length === 0
      ? current
      : [
          ...((current as unknown[] | undefined) ?? []),
          ...mounts.map(([claim, mountPath]) => ({ mountPath, name: claim.name })),
        ];
}

/** The Service that gives the pods their DNS names: headless unless asked otherwise, never a load balancer. */
function governingService(
  workload: StatefulService,
  props: StatefulServiceProps,
  ports: readonly ServicePortSpec[],
): plus.Service {
  const kind = props.serviceKind ?? ServiceKind.headless();
  if (kind.external) {
    invalid(
      workload,
      `serviceKind is ${show(kind.kind)}, but the Service that names the pods must stay inside the cluster`,
      'Add the node port or load balancer as one of additionalServices',
    );
  }
  return podService(workload, 'Service', undefined, {
    name: workload.name,
    type: kind._type,
    clusterIP: kind._clusterIP,
    ports,
    ...checkServiceMetadata(workload, workload.name, props.serviceMetadata),
  });
}
