/**
 * The one place the library names its cdk8s-plus version: moving to a newer cdk8s-plus is a change to
 * this file alone. Everything else imports `plus` from here.
 *
 * Every setting the library needs is passed to cdk8s-plus when an object is created (a workload's
 * replicas and update strategy when it is synthesized: its strategy's one answer gives them), except
 * the ones cdk8s-plus-27 (or cdk8s itself) has no setting for at all. Those are written by `addFields`
 * below: a producer read when the object is synthesized (so, as cdk8s-plus's Lazy values, it sees
 * every prop and every later call), whose fields are merged into the object's final JSON, after the Kubernetes 1.27
 * bindings' `toJson_Kube*` filtering, which drops any field 1.27 does not know (even from JSON patches).
 * Fields are addressed by meaning (the pod spec wherever the kind keeps it, a container or init
 * container by name, a Service port by name), never by array index. What it writes:
 *
 * | field                                                | where                          | missing setting                                                   |
 * | ---------------------------------------------------- | ------------------------------ | ----------------------------------------------------------------- |
 * | pod `securityContext.seccompProfile`                 | lib/apps/workload.ts           | `PodSecurityContextProps` has no `seccompProfile`                 |
 * | pod `securityContext.supplementalGroups`             | lib/apps/workload.ts           | `PodSecurityContextProps` has no `supplementalGroups`             |
 * | pod `topologySpreadConstraints`                      | lib/apps/workload.ts           | `PodScheduling` has no topology spread                            |
 * | pod `priorityClassName`, `nodeSelector`              | lib/apps/workload.ts           | `AbstractPodProps` has neither                                    |
 * | pod `tolerations`, `affinity`                        | lib/apps/workload.ts           | `PodScheduling` says them only through its own `tolerate`/`attract`/`colocate` calls, not as a manifest writes them (so a ported manifest's terms could not carry over unchanged) |
 * | container and init container `readinessProbe`, `livenessProbe`, `startupProbe` | lib/apps/pod-containers.ts | `Probe` has no gRPC check and no HTTP headers, and `addInitContainer` refuses every probe, even on a native sidecar |
 * | init container `restartPolicy: Always` (native sidecar) | lib/apps/pod-containers.ts  | the 1.27 bindings' Container has no `restartPolicy` (1.28)        |
 * | container and init container `resources` `ephemeral-storage` of a size that is not whole GiB ("256Mi") | lib/apps/pod-containers.ts | cdk8s-plus-27 writes ephemeral storage in whole GiB only, and throws for any other size |
 * | Service port `appProtocol`                           | lib/core/services.ts           | cdk8s-plus-27's `ServicePort` has no `appProtocol`                |
 * | StatefulSet `volumeClaimTemplates`, and their mounts | lib/apps/stateful-service.ts   | cdk8s-plus-27's `StatefulSet` has no claim templates              |
 * | a StatefulSet's Service `selector`, by name alone    | lib/apps/stateful-service.ts   | cdk8s-plus-27's `StatefulSet` adds its path-hash label to it      |
 *
 * A volume cdk8s-plus's `Volume` factories cannot make (a projected volume) is made by `volumeOf` from the
 * 1.27 API's own shape (lib/apps/pod-volume.ts), so that cdk8s-plus still mounts it and lists it once.
 *
 * And one JSON patch, the only one in lib/:
 *
 * | JSON patch                                         | where                  | missing setting                                              |
 * | -------------------------------------------------- | ---------------------- | ------------------------------------------------------------ |
 * | remove `/metadata/namespace` of cluster-scoped objects (`clusterScoped` below: Namespaces, ClusterRoles, ClusterRoleBindings) | lib/apps/app-stack.ts, lib/pipelines | cdk8s stamps the chart's namespace on every object, even a cluster-scoped one, and `ApiObjectMetadata` cannot unset it |
 *
 * Drop a row when cdk8s-plus gains the setting.
 */
import { ApiObject, JsonPatch } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import type { k8s } from 'cdk8s-plus-27';
import { Volume } from 'cdk8s-plus-27';

export * from 'cdk8s-plus-27';

/**
 * A cdk8s-plus Volume of any kind the 1.27 API has, written as the API writes it: `Volume`'s factories
 * have no projected volume, and its constructor, which takes the API's shape, is private in the typings
 * only.
 */
export function volumeOf(
  scope: Construct,
  id: string,
  name: string,
  config: Omit<k8s.Volume, 'name'>,
): Volume {
  const make = Volume as unknown as new (...args: unknown[]) => Volume;
  return new make(scope, id, name, config);
}

/** `object` without the namespace its chart stamps on it: cluster-scoped kinds have none. */
export function clusterScoped<T extends ApiObject>(object: T): T {
  object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  return object;
}

/**
 * A JSON object of fields; an undefined value leaves the field as it is, and a function receives the
 * field's current value and returns the one that replaces it (to add to a list cdk8s-plus wrote).
 */
export type Fields = Readonly<Record<string, unknown>>;

/** Fields cdk8s-plus-27 has no setting for, by what they belong to. */
export interface KubeFields {
  /**
   * Merged into the object's spec.
   *
   * @default - none
   */
  readonly spec?: Fields;
  /**
   * Merged into the pod spec: of a Pod, of a CronJob's job template, or of any other kind's pod template.
   *
   * @default - none
   */
  readonly podSpec?: Fields;
  /**
   * Merged into the app container of each name.
   *
   * @default - none
   */
  readonly containers?: Readonly<Record<string, Fields>>;
  /**
   * Merged into the init container of each name (native sidecars among them).
   *
   * @default - none
   */
  readonly initContainers?: Readonly<Record<string, Fields>>;
  /**
   * Merged into the Service port of each name.
   *
   * @default - none
   */
  readonly servicePorts?: Readonly<Record<string, Fields>>;
}

const producers = new WeakMap<ApiObject, (() => KubeFields)[]>();

/**
 * Writes what `produce` returns into the JSON of `scope`'s Kubernetes object (a cdk8s-plus resource or
 * an ApiObject) when it is synthesized. Objects merge field by field; arrays and plain values replace.
 * Keys keep the bindings' (alphabetical) order, so the output reads as if cdk8s-plus had written them;
 * a container field newer than the bindings goes last, as it always has (`NEWER_CONTAINER_FIELDS`).
 */
export function addFields(scope: IConstruct, produce: () => KubeFields): void {
  const object = ApiObject.of(scope);
  const list = producers.get(object);
  if (list) {
    list.push(produce);
    return;
  }
  producers.set(object, [produce]);
  const filtered = object.toJson.bind(object);
  object.toJson = (): unknown => {
    const json = filtered() as Record<string, unknown>;
    for (const fields of producers.get(object)!.map((p) => p())) {
      mergeFields(object, json, fields);
    }
    return json;
  };
}

function mergeFields(object: ApiObject, json: Record<string, unknown>, fields: KubeFields): void {
  if (fields.podSpec || fields.containers || fields.initContainers) {
    const pod = podSpecOf(object, json);
    merge(pod, fields.podSpec ?? {});
    mergeNamed(object, pod, 'containers', fields.containers);
    mergeNamed(object, pod, 'initContainers', fields.initContainers);
  }
  if (fields.spec) {
    merge((json.spec ?? {}) as Record<string, unknown>, fields.spec);
  }
  if (fields.servicePorts) {
    mergeNamed(object, (json.spec ?? {}) as Record<string, unknown>, 'ports', fields.servicePorts);
  }
}

/** The pod spec of a Pod, of a CronJob's job template, or of any other kind's pod template. */
function podSpecOf(object: ApiObject, json: Record<string, unknown>): Record<string, unknown> {
  const at = (value: unknown, ...path: string[]): unknown =>
    path.reduce((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
  const pod =
    object.kind === 'Pod'
      ? at(json, 'spec')
      : object.kind === 'CronJob'
        ? at(json, 'spec', 'jobTemplate', 'spec', 'template', 'spec')
        : at(json, 'spec', 'template', 'spec');
  if (!pod) {
    throw new Error(`${object.node.path}: a ${object.kind} has no pod spec to write pod fields into`);
  }
  return pod as Record<string, unknown>;
}

function mergeNamed(
  object: ApiObject,
  parent: Record<string, unknown>,
  list: string,
  byName: Readonly<Record<string, Fields>> | undefined,
): void {
  for (const [name, fields] of Object.entries(byName ?? {})) {
    const item = ((parent[list] ?? []) as Record<string, unknown>[]).find((i) => i.name === name);
    if (!item) {
      throw new Error(`${object.node.path}: the ${object.kind} has no ${list} entry named "${name}"`);
    }
    merge(item, fields, list === 'ports' ? undefined : NEWER_CONTAINER_FIELDS);
  }
}

/** Container fields the 1.27 bindings do not know, which their (alphabetical) order has no place for. */
const NEWER_CONTAINER_FIELDS: ReadonlySet<string> = new Set(['restartPolicy']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges `fields` into `target` in place, keeping `target`'s keys sorted as the bindings write them, with
 * the keys `newer` than the bindings after the rest.
 */
function merge(target: Record<string, unknown>, fields: Fields, newer?: ReadonlySet<string>): void {
  let added = false;
  for (const [key, field] of Object.entries(fields)) {
    const current = target[key];
    const value = typeof field === 'function' ? (field as (current: unknown) => unknown)(current) : field;
    if (value === undefined) {
      continue;
    }
    if (typeof field !== 'function' && isPlainObject(current) && isPlainObject(value)) {
      merge(current, value);
    } else {
      added ||= !(key in target);
      target[key] = sorted(value);
    }
  }
  if (added) {
    const rank = (key: string) => (newer?.has(key) ? 1 : 0);
    const keys = Object.keys(target).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      const value = target[key];
      delete target[key];
      target[key] = value;
    }
  }
}

/** `value` with its objects' keys sorted and undefined fields left out, as cdk8s writes every object. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sorted);
  }
  if (!isPlainObject(value)) {
    return value;
  }
  return Object.fromEntries(
    Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => [key, sorted(value[key])]),
  );
}
