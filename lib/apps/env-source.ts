import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkDnsSubdomain } from '../core/names.js';
import * as plus from '../core/plus.js';
import { ExistingSecret } from './existing-secret.js';
import { isQualifiedName } from './workload-port.js';

/**
 * A pod field that Kubernetes exposes as an environment variable (the downward API), as `fieldRef.fieldPath`
 * writes it: one label or annotation by its key, or a field of the pod's metadata, spec or status.
 */
export type PodField =
  | 'metadata.name'
  | 'metadata.namespace'
  | 'metadata.uid'
  | `metadata.labels['${string}']`
  | `metadata.annotations['${string}']`
  | 'spec.nodeName'
  | 'spec.serviceAccountName'
  | 'status.hostIP'
  | 'status.hostIPs'
  | 'status.podIP'
  | 'status.podIPs';

/** A request or limit of a container that Kubernetes exposes as an environment variable. */
export type ContainerResourceField =
  | 'limits.cpu'
  | 'limits.memory'
  | 'limits.ephemeral-storage'
  | 'requests.cpu'
  | 'requests.memory'
  | 'requests.ephemeral-storage'
  | `limits.hugepages-${string}`
  | `requests.hugepages-${string}`;

export interface EnvKeyOptions {
  /**
   * Start the container even when the ConfigMap or Secret, or its key, does not exist (the variable is
   * then unset).
   *
   * @default false - the container does not start until it exists
   */
  readonly optional?: boolean;
}

export interface EnvResourceOptions {
  /**
   * The unit the value is written in: `1` or `1m` for CPU, `1`, `1k`, `1M`, `1G`, `1T`, `1P`, `1E`, `1Ki`,
   * `1Mi`, `1Gi`, `1Ti`, `1Pi` or `1Ei` for memory, ephemeral storage and huge pages.
   *
   * @default '1' - cores (rounded up) or bytes
   */
  readonly divisor?: string;
  /**
   * The container whose resources are read (`workload.container`, or what `addSidecar` returns).
   *
   * @default - the container the variable belongs to
   */
  readonly container?: plus.Container;
}

/** The fields Kubernetes exposes as env, without a key (metadata.labels and .annotations take one). */
const POD_FIELDS: readonly string[] = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const KEYED_POD_FIELDS = ['metadata.labels', 'metadata.annotations'];
const RESOURCE_FIELDS: readonly string[] = [
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
];
const HUGE_PAGES = /^(limits|requests)\.hugepages-/;
const CPU_DIVISORS = ['1', '1m'];
const BYTE_DIVISORS = [
  '1',
  ...['k', 'M', 'G', 'T', 'P', 'E'].map((prefix) => `1${prefix}`),
  ...['Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'].map((prefix) => `1${prefix}`),
];

/** The characters of a ConfigMap or Secret key. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

/** Which variable of which container a source is bound to, for its error messages. */
interface EnvTarget {
  readonly scope: Construct;
  readonly container: string;
  readonly variable: string;
}

/**
 * Where an environment variable's value comes from, when it is not a literal: the downward API (a field
 * of the pod, or a request or limit of a container), or a key of a ConfigMap or Secret. Each is checked as
 * the API server would check it, naming the construct, the container and the variable; each is written
 * by cdk8s-plus's `EnvValue`.
 */
export class EnvSource {
  /**
   * A field of the pod (the downward API): `metadata.namespace`, `metadata.labels['team']`, `status.podIP`,
   * and the other fields of `PodField`.
   */
  public static fromField(fieldPath: PodField): EnvSource {
    return new EnvSource((target) => {
      const [, keyed, key] = /^([a-z.]+)\['(.*)'\]$/.exec(fieldPath) ?? [];
      if (keyed && KEYED_POD_FIELDS.includes(keyed)) {
        checkQualifiedName(target, keyed, key);
        return plus.EnvValue.fromFieldRef(
          keyed === 'metadata.labels' ? plus.EnvFieldPaths.POD_LABEL : plus.EnvFieldPaths.POD_ANNOTATION,
          { key },
        );
      }
      if (!POD_FIELDS.includes(fieldPath)) {
        invalid(
          target.scope,
          `${describe(target)} reads the pod field ${show(fieldPath)}, which Kubernetes does not expose as an environment variable`,
          KEYED_POD_FIELDS.includes(fieldPath)
            ? `Read one key of it, for example "${fieldPath}['app.kubernetes.io/name']"`
            : `Read one of ${[...POD_FIELDS, ...KEYED_POD_FIELDS.map((f) => `${f}['<key>']`)].join(', ')}`,
        );
      }
      // EnvFieldPaths lacks status.hostIPs (Kubernetes 1.28); cdk8s-plus writes any path as it is given.
      return plus.EnvValue.fromFieldRef(fieldPath as plus.EnvFieldPaths);
    });
  }

  /** A key of a ConfigMap: one of the chart's, or one made elsewhere, by name. */
  public static fromConfigMapKey(
    configMap: plus.IConfigMap | string,
    key: string,
    options: EnvKeyOptions = {},
  ): EnvSource {
    return new EnvSource((target) => {
      const source =
        typeof configMap === 'string'
          ? plus.ConfigMap.fromConfigMapName(
              target.scope,
              `Env-${target.container}-${target.variable}`,
              checkDnsSubdomain(target.scope, `ConfigMap name of ${describe(target)}`, configMap),
            )
          : configMap;
      checkDataKey(target, `ConfigMap ${show(source.name)}`, key);
      return plus.EnvValue.fromConfigMap(source, key, { optional: options.optional });
    });
  }

  /** A key of a Secret made elsewhere: an `ExistingSecret`, or its name. */
  public static fromSecretKey(
    secret: ExistingSecret | string,
    key: string,
    options: EnvKeyOptions = {},
  ): EnvSource {
    return new EnvSource((target) => {
      const source =
        secret instanceof ExistingSecret
          ? secret.secret
          : plus.Secret.fromSecretName(
              target.scope,
              `Env-${target.container}-${target.variable}`,
              checkDnsSubdomain(target.scope, `Secret name of ${describe(target)}`, secret),
            );
      checkDataKey(target, `Secret ${show(source.name)}`, key);
      return plus.EnvValue.fromSecretValue({ secret: source, key }, { optional: options.optional });
    });
  }

  /** A request or limit of the container (the downward API), for example to size a heap by `limits.memory`. */
  public static fromResource(resource: ContainerResourceField, options: EnvResourceOptions = {}): EnvSource {
    return new EnvSource((target) => {
      if (!RESOURCE_FIELDS.includes(resource) && !HUGE_PAGES.test(resource)) {
        invalid(
          target.scope,
          `${describe(target)} reads the resource ${show(resource)}, which Kubernetes does not expose as an environment variable`,
          `Read one of ${RESOURCE_FIELDS.join(', ')}, or limits.hugepages-<size> or requests.hugepages-<size>`,
        );
      }
      const divisors = resource.endsWith('.cpu') ? CPU_DIVISORS : BYTE_DIVISORS;
      if (options.divisor !== undefined && !divisors.includes(options.divisor)) {
        invalid(
          target.scope,
          `${describe(target)} divides ${show(resource)} by ${show(options.divisor)}, which Kubernetes does not accept`,
          `Divide it by one of ${divisors.map(show).join(', ')}`,
        );
      }
      return plus.EnvValue.fromResource(resource as plus.ResourceFieldPaths, {
        divisor: options.divisor,
        container: options.container,
      });
    });
  }

  private constructor(private readonly produce: (target: EnvTarget) => plus.EnvValue) {}

  /** @internal The value of variable `variable` of container `container` in `scope`'s pod, checked. */
  public _toEnvValue(scope: Construct, container: string, variable: string): plus.EnvValue {
    return this.produce({ scope, container, variable });
  }
}

function describe(target: EnvTarget): string {
  return `env ${show(target.variable)} of container ${show(target.container)}`;
}

/** A label or annotation key as Kubernetes checks it (an annotation's in lower case). */
function checkQualifiedName(target: EnvTarget, field: string, key: string): void {
  if (!isQualifiedName(field === 'metadata.annotations' ? key.toLowerCase() : key)) {
    invalid(
      target.scope,
      `${describe(target)} reads the key ${show(key)} of ${field}, which is not a valid key`,
      "Use at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit, after an optional DNS subdomain and '/' (for example \"app.kubernetes.io/name\")",
    );
  }
}

/** A key of a ConfigMap or Secret as Kubernetes checks it. */
function checkDataKey(target: EnvTarget, source: string, key: string): void {
  if (key === '') {
    invalid(target.scope, `${describe(target)} reads an empty key of ${source}`, 'Name the key to read');
  }
  if (key.length > 253 || !DATA_KEY.test(key) || key === '.' || key.startsWith('..')) {
    invalid(
      target.scope,
      `${describe(target)} reads the key ${show(key)} of ${source}, which is not a valid key`,
      "Use at most 253 letters, digits, '-', '_' and '.', not \".\" and not starting with \"..\"",
    );
  }
}
