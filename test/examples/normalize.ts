/**
 * Reduces manifests to what a port must keep equal to upstream (per workload and container: image, its
 * pull policy, ports, env, probes, resources, mounts; per Service: type, ports, labels and annotations;
 * ConfigMap data), with Kubernetes' defaults filled in and quantities in one unit, so that two ways of
 * writing the same object compare equal. The library's own Service labels (`app.kubernetes.io/*`) and
 * policy waivers (`policy.cdk8s-devops.io/*`) are left out: they are what the library adds, not the app.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllYaml } from '../util/yaml.js';

type Json = any;

/** One comparable field: where it is ("Deployment/frontend containers[0] readinessProbe") and its value. */
export type Fields = Map<string, unknown>;

/** One field that differs: its value upstream and in the port (undefined where the field is absent). */
export interface FieldDifference {
  readonly field: string;
  readonly upstream: unknown;
  readonly ported: unknown;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

/** Every document of the YAML files in `dir` (or of the one file `path`), in file order. */
export function readManifests(path: string): Json[] {
  const files = path.endsWith('.yaml')
    ? [path]
    : readdirSync(path)
        .filter((f) => f.endsWith('.yaml'))
        .sort()
        .map((f) => join(path, f));
  return files.flatMap((file) => parseAllYaml(readFileSync(file, 'utf8')).filter((doc) => doc));
}

/** The comparable fields of `manifests`, keyed by object and field. */
export function normalize(manifests: readonly Json[]): Fields {
  const fields: Fields = new Map();
  for (const object of manifests) {
    const id = `${object.kind}/${object.metadata.name}`;
    if (WORKLOAD_KINDS.has(object.kind)) {
      normalizeWorkload(fields, id, object);
    } else if (object.kind === 'Service') {
      fields.set(`${id} type`, object.spec.type ?? 'ClusterIP');
      fields.set(`${id} headless`, object.spec.clusterIP === 'None');
      fields.set(`${id} labels`, withoutKeys(object.metadata.labels, 'app.kubernetes.io/'));
      fields.set(`${id} annotations`, withoutKeys(object.metadata.annotations, 'policy.cdk8s-devops.io/'));
      fields.set(
        `${id} ports`,
        sortBy(
          (object.spec.ports ?? []).map((p: Json) => ({
            name: p.name,
            port: p.port,
            targetPort: p.targetPort ?? p.port,
            protocol: p.protocol ?? 'TCP',
            appProtocol: p.appProtocol,
          })),
          (p: Json) => String(p.port),
        ).map((p: Json) => dropUndefined(p)),
      );
    } else if (object.kind === 'ConfigMap') {
      fields.set(`${id} data`, object.data ?? {});
    }
  }
  return fields;
}

function normalizeWorkload(fields: Fields, id: string, object: Json): void {
  const pod = object.spec.template.spec;
  fields.set(`${id} replicas`, object.spec.replicas ?? 1);
  fields.set(`${id} terminationGracePeriodSeconds`, pod.terminationGracePeriodSeconds ?? 30);
  const volumes = new Map<string, unknown>(
    (pod.volumes ?? []).map((v: Json) => [v.name, volumeSource(v)] as const),
  );
  const containers: [string, Json][] = [
    ...(pod.initContainers ?? []).map((c: Json, i: number) => [`initContainers[${i}]`, c] as [string, Json]),
    ...(pod.containers ?? []).map((c: Json, i: number) => [`containers[${i}]`, c] as [string, Json]),
  ];
  for (const [where, container] of containers) {
    const at = `${id} ${where}`;
    const namedPorts = new Map<string, number>(
      (container.ports ?? []).filter((p: Json) => p.name).map((p: Json) => [p.name, p.containerPort]),
    );
    if (where.startsWith('init')) {
      fields.set(`${at} name`, container.name);
      fields.set(`${at} restartPolicy`, container.restartPolicy ?? 'Never');
    }
    fields.set(`${at} image`, container.image);
    fields.set(`${at} imagePullPolicy`, container.imagePullPolicy ?? defaultPullPolicy(container.image));
    fields.set(`${at} command`, container.command);
    fields.set(`${at} args`, container.args);
    fields.set(
      `${at} ports`,
      sortBy(
        (container.ports ?? []).map((p: Json) =>
          dropUndefined({ containerPort: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' }),
        ),
        (p: Json) => String(p.containerPort),
      ),
    );
    fields.set(
      `${at} env`,
      Object.fromEntries(
        sortBy(container.env ?? [], (e: Json) => e.name).map((e: Json) => [e.name, e.valueFrom ?? e.value]),
      ),
    );
    fields.set(
      `${at} envFrom`,
      (container.envFrom ?? []).map((s: Json) =>
        s.configMapRef ? `configMap:${s.configMapRef.name}` : `secret:${s.secretRef.name}`,
      ),
    );
    for (const probe of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      fields.set(`${at} ${probe}`, normalizeProbe(container[probe], namedPorts));
    }
    fields.set(`${at} resources`, normalizeResources(container.resources ?? {}));
    fields.set(
      `${at} volumeMounts`,
      Object.fromEntries(
        sortBy(container.volumeMounts ?? [], (m: Json) => m.mountPath).map((m: Json) => [
          m.mountPath,
          dropUndefined({
            volume: volumes.get(m.name) ?? `missing volume ${m.name}`,
            readOnly: m.readOnly ?? false,
            subPath: m.subPath,
          }),
        ]),
      ),
    );
  }
}

/** Kubernetes' pull policy when none is set: Always for the tag latest or no tag, else IfNotPresent. */
function defaultPullPolicy(image: string): string {
  const name = image.split('@')[0];
  const tag = name.slice(name.lastIndexOf('/') + 1).split(':')[1];
  return image.includes('@') || (tag !== undefined && tag !== 'latest') ? 'IfNotPresent' : 'Always';
}

/** `values` without the keys that start with `prefix`. */
function withoutKeys(values: Record<string, string> = {}, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => !key.startsWith(prefix)));
}

/** What a volume is, without its name (which is the port's choice): its source and that source's settings. */
function volumeSource(volume: Json): unknown {
  const { name: _name, ...source } = volume;
  const [kind, settings] = Object.entries(source)[0] as [string, Json];
  if (kind === 'emptyDir') {
    return dropUndefined({
      emptyDir: dropUndefined({ medium: settings.medium, sizeLimit: settings.sizeLimit }),
    });
  }
  if (kind === 'secret' || kind === 'configMap') {
    return dropUndefined({
      [kind]: settings.secretName ?? settings.name,
      items: settings.items,
      defaultMode: settings.defaultMode,
    });
  }
  return source;
}

const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 1,
};

function normalizeProbe(probe: Json, namedPorts: ReadonlyMap<string, number>): unknown {
  if (!probe) {
    return undefined;
  }
  const port = (p: number | string) => (typeof p === 'string' ? (namedPorts.get(p) ?? p) : p);
  const timing = Object.fromEntries(
    Object.entries(PROBE_DEFAULTS).map(([key, value]) => [key, probe[key] ?? value]),
  );
  if (probe.httpGet) {
    const { path, scheme, httpHeaders } = probe.httpGet;
    return {
      httpGet: dropUndefined({
        path: path ?? '/',
        port: port(probe.httpGet.port),
        scheme: scheme ?? 'HTTP',
        httpHeaders: httpHeaders?.length ? httpHeaders : undefined,
      }),
      ...timing,
    };
  }
  if (probe.tcpSocket) {
    return { tcpSocket: { port: port(probe.tcpSocket.port) }, ...timing };
  }
  if (probe.grpc) {
    return {
      grpc: dropUndefined({ port: probe.grpc.port, service: probe.grpc.service || undefined }),
      ...timing,
    };
  }
  return { exec: { command: probe.exec?.command }, ...timing };
}

const CPU_UNITS: Record<string, number> = { m: 0.001, '': 1 };
const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** Requests and limits in millicores and bytes: "0.5" and "500m" are the same CPU, "0.5Gi" and "512Mi" the same memory. */
function normalizeResources(resources: Json): unknown {
  const amounts = (values: Json = {}) =>
    Object.fromEntries(
      Object.entries(values as Record<string, string | number>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([resource, quantity]) => [
          resource,
          resource === 'cpu'
            ? `${quantityOf(quantity, CPU_UNITS) * 1000}m`
            : `${quantityOf(quantity, MEMORY_UNITS)}B`,
        ]),
    );
  return { requests: amounts(resources.requests), limits: amounts(resources.limits) };
}

function quantityOf(quantity: string | number, units: Record<string, number>): number {
  const match = /^([0-9.]+)([A-Za-z]*)$/.exec(String(quantity));
  if (!match || !(match[2] in units)) {
    throw new Error(`cannot read the quantity ${JSON.stringify(quantity)}`);
  }
  return Math.round(Number(match[1]) * units[match[2]] * 1000) / 1000;
}

/** The fields whose values differ between `upstream` and `ported`, in `upstream`'s order, then the port's extras. */
export function compareFields(upstream: Fields, ported: Fields): FieldDifference[] {
  const keys = [...upstream.keys(), ...[...ported.keys()].filter((k) => !upstream.has(k))];
  return keys
    .filter((field) => !isDeepStrictEqual(upstream.get(field), ported.get(field)))
    .map((field) => ({ field, upstream: upstream.get(field), ported: ported.get(field) }));
}

/** One line per difference, for a test failure that shows what to change. */
export function formatDifferences(differences: readonly FieldDifference[]): string {
  const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));
  return differences
    .map((d) => `${d.field}\n    upstream: ${show(d.upstream)}\n    ported:   ${show(d.ported)}`)
    .join('\n');
}

function sortBy<T = Json>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => key(a).localeCompare(key(b)));
}

function dropUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}
