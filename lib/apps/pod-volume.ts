import type { Size } from 'cdk8s';
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsLabel, checkDnsSubdomain, checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { ExistingSecret } from './existing-secret.js';

export interface EmptyDirOptions {
  /**
   * The most the volume may hold; the pod is evicted beyond it.
   *
   * @default - no limit but the node's
   */
  readonly sizeLimit?: Size;
  /**
   * `Memory` for a tmpfs, which counts against the container's memory limit.
   *
   * @default - the node's disk
   */
  readonly medium?: 'Memory';
}

/** A key of a ConfigMap or Secret written to a file of its own. */
export interface KeyToPath {
  readonly key: string;
  /** The file's path inside the volume, relative. */
  readonly path: string;
  /**
   * The file's mode bits, for example 0o400.
   *
   * @default - the volume's defaultMode
   */
  readonly mode?: number;
}

export interface KeysOptions {
  /**
   * Which keys become files, and where.
   *
   * @default - every key, as a file of its name
   */
  readonly items?: readonly KeyToPath[];
  /**
   * The mode bits of the files.
   *
   * @default 0o644
   */
  readonly defaultMode?: number;
}

export interface ServiceAccountTokenOptions {
  /** The file's path inside the volume, relative. */
  readonly path: string;
  /**
   * Who the token is for (its `aud` claim).
   *
   * @default - the API server
   */
  readonly audience?: string;
  /**
   * How long the token lives; the kubelet renews it before.
   *
   * @default 3600
   */
  readonly expirationSeconds?: number;
}

/** One source of a projected volume. */
export class ProjectedSource {
  /** The keys of a ConfigMap. */
  public static configMap(configMap: plus.IConfigMap, options: Omit<KeysOptions, 'defaultMode'> = {}) {
    return new ProjectedSource(() => ({
      configMap: { name: configMap.name, items: options.items?.map((i) => ({ ...i })) },
    }));
  }

  /** The keys of a Secret. */
  public static secret(secret: ExistingSecret, options: Omit<KeysOptions, 'defaultMode'> = {}) {
    return new ProjectedSource(() => ({
      secret: { name: secret.secret.name, items: options.items?.map((i) => ({ ...i })) },
    }));
  }

  /**
   * A ServiceAccount token of its own audience and lifetime, for a service outside the cluster (Vault,
   * a cloud's workload identity). Unlike the API token, it is mounted even without grants.
   */
  public static serviceAccountToken(options: ServiceAccountTokenOptions) {
    return new ProjectedSource((scope) => ({
      serviceAccountToken: {
        path: options.path,
        audience: options.audience,
        expirationSeconds:
          options.expirationSeconds === undefined
            ? undefined
            : checkRange(
                scope,
                'serviceAccountToken.expirationSeconds',
                options.expirationSeconds,
                600,
                Number.MAX_SAFE_INTEGER,
                'Let the token live at least 600 seconds, as Kubernetes requires',
              ),
      },
    }));
  }

  /** The pod's own labels and annotations, as files `labels` and `annotations`. */
  public static podMetadata() {
    return new ProjectedSource(() => ({
      downwardApi: {
        items: [
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
          { path: 'annotations', fieldRef: { fieldPath: 'metadata.annotations' } },
        ],
      },
    }));
  }

  private constructor(private readonly toKube: (scope: Construct) => plus.k8s.VolumeProjection) {}

  /** @internal */
  public _bind(scope: Construct): plus.k8s.VolumeProjection {
    return this.toKube(scope);
  }
}

/**
 * A volume of the pod, mounted into its containers by `mounts` (or `workload.mount`). A volume of
 * configuration (ConfigMap, Secret, projected) is always mounted read-only; an emptyDir or a claim is
 * writable unless its mount says `readOnly`.
 */
export class PodVolume {
  /** Scratch space that lives as long as the pod, the one writable place under a read-only root. */
  public static emptyDir(name: string, options: EmptyDirOptions = {}): PodVolume {
    return new PodVolume(name, 'emptyDir', false, () => ({
      emptyDir: {
        medium: options.medium,
        sizeLimit:
          options.sizeLimit === undefined
            ? undefined
            : plus.k8s.Quantity.fromString(`${options.sizeLimit.toMebibytes()}Mi`),
      },
    }));
  }

  /** The keys of a ConfigMap as files. */
  public static configMap(name: string, configMap: plus.IConfigMap, options: KeysOptions = {}): PodVolume {
    return new PodVolume(name, 'configMap', true, (scope) => ({
      configMap: {
        name: configMap.name,
        items: options.items?.map((i) => ({ ...i })),
        defaultMode: checkMode(scope, name, options.defaultMode),
      },
    }));
  }

  /** The keys of a Secret as files. */
  public static secret(name: string, secret: ExistingSecret, options: KeysOptions = {}): PodVolume {
    return new PodVolume(name, 'secret', true, (scope) => ({
      secret: {
        secretName: secret.secret.name,
        items: options.items?.map((i) => ({ ...i })),
        defaultMode: checkMode(scope, name, options.defaultMode),
      },
    }));
  }

  /** Several sources (ConfigMaps, Secrets, a token, the pod's metadata) in one directory. */
  public static projected(
    name: string,
    sources: readonly ProjectedSource[],
    options: Pick<KeysOptions, 'defaultMode'> = {},
  ): PodVolume {
    return new PodVolume(name, 'projected', true, (scope) => {
      if (sources.length === 0) {
        invalid(
          scope,
          `projected volume ${show(name)} has no sources`,
          'Give it at least one ProjectedSource',
        );
      }
      return {
        projected: {
          sources: sources.map((s) => s._bind(scope)),
          defaultMode: checkMode(scope, name, options.defaultMode),
        },
      };
    });
  }

  /**
   * A PersistentVolumeClaim made elsewhere (a StatefulService's claim template makes its own).
   * `readOnly` mounts the claim read-only in every container.
   */
  public static persistentVolumeClaim(
    name: string,
    claimName: string,
    options: { readonly readOnly?: boolean } = {},
  ): PodVolume {
    return new PodVolume(name, 'persistentVolumeClaim', options.readOnly ?? false, (scope) => ({
      persistentVolumeClaim: {
        claimName: checkDnsSubdomain(scope, 'claimName', claimName),
        readOnly: options.readOnly,
      },
    }));
  }

  private readonly bound = new WeakMap<Construct, plus.Volume>();

  private constructor(
    public readonly name: string,
    /** The kind of volume, as the pod spec names it. */
    public readonly kind: string,
    /** Whether its mounts are read-only unless they say otherwise. */
    public readonly readOnlyByDefault: boolean,
    private readonly config: (scope: Construct) => Omit<plus.k8s.Volume, 'name'>,
  ) {}

  /** @internal The cdk8s-plus volume of this volume in `workload`'s pod, made once. */
  public _bind(workload: Construct): plus.Volume {
    let volume = this.bound.get(workload);
    if (!volume) {
      checkDnsLabel(workload, 'volume name', this.name);
      if (workload.node.tryFindChild(`Volume-${this.name}`)) {
        invalid(
          workload,
          `two different volumes are named ${show(this.name)}`,
          'Give each volume a name of its own, or mount the same PodVolume in every container',
        );
      }
      volume = plus.volumeOf(workload, `Volume-${this.name}`, this.name, this.config(workload));
      this.bound.set(workload, volume);
    }
    return volume;
  }
}

/** Where a container sees a volume. */
export interface VolumeMount {
  /** The absolute path in the container. */
  readonly path: string;
  readonly volume: PodVolume;
  /**
   * Mount it read-only. A ConfigMap, Secret or projected volume is always read-only.
   *
   * @default - true for a ConfigMap, Secret or projected volume and a read-only claim, false otherwise
   */
  readonly readOnly?: boolean;
  /**
   * A path inside the volume to mount instead of its root.
   *
   * @default - the volume's root
   */
  readonly subPath?: string;
}

/** Mounts `mounts` into `container` of `workload`'s pod, checking each. */
export function mountVolumes(
  workload: Construct,
  container: plus.Container,
  mounts: readonly VolumeMount[],
): void {
  const where = `container ${show(container.name)}`;
  for (const mount of mounts) {
    if (!mount.path.startsWith('/')) {
      invalid(
        workload,
        `${where} mounts volume ${show(mount.volume.name)} at ${show(mount.path)}, which is not an absolute path`,
        `Start the path with "/", for example ${show(`/${mount.path}`)}`,
      );
    }
    if (container.mounts.some((m) => m.path === mount.path)) {
      invalid(
        workload,
        `${where} mounts two volumes at ${show(mount.path)}`,
        'Mount each volume at a path of its own',
      );
    }
    if (mount.volume.readOnlyByDefault && mount.readOnly === false) {
      invalid(
        workload,
        `${where} mounts the ${mount.volume.kind} volume ${show(mount.volume.name)} with readOnly: false, but it is always read-only`,
        mount.volume.kind === 'persistentVolumeClaim'
          ? 'Leave readOnly out, or make the claim writable'
          : 'Leave readOnly out, and copy the files to an emptyDir if the app must change them',
      );
    }
    container.mount(mount.path, mount.volume._bind(workload), {
      readOnly: (mount.readOnly ?? mount.volume.readOnlyByDefault) ? true : undefined,
      subPath: mount.subPath,
    });
  }
}

function checkMode(scope: Construct, volume: string, mode: number | undefined): number | undefined {
  return mode === undefined
    ? undefined
    : checkRange(
        scope,
        `defaultMode of volume ${show(volume)}`,
        mode,
        0,
        0o777,
        'Use mode bits from 0 to 0o777',
      );
}
