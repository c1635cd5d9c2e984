/**
 * What the Argo Rollouts tests share: the real controller and the Prometheus the Prometheus Operator
 * configures, the exporter whose metrics they set per pod, fast alarms, monitoring as a user writes it,
 * and apps applied through the CLI.
 */
import { Chart, Testing } from 'cdk8s';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiClient, CONTENT_TYPES } from '../../client/transport/api-client.js';
import type { LiveObject } from '../../client/wait/readiness/index.js';
import type { RolloutOperation } from '../../client/apply/rollout-operations.js';
import { operateRollout } from '../../client/apply/rollout-operations.js';
import type { Manifest } from '../../client/transport/resources.js';
import type { WebService } from '../../lib/apps/web-service.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { TreatMissingData } from '../../lib/alarms/alarm-props.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import type { TrafficProfile } from '../cluster/exporter.js';
import { EXPORTER_VARIABLE, PROMETHEUS_VARIABLE } from '../cluster/test-cluster.js';
import { testApp } from '../util/synth.js';
import { cli, writeManifests } from './client-cli.js';
import { describeCluster, eventually, testKubeConfig } from './cluster.js';

/** `describe` when the run has the Argo Rollouts controller and Prometheus, else skipped. */
export const describeRollouts =
  process.env[PROMETHEUS_VARIABLE] && process.env[EXPORTER_VARIABLE] ? describeCluster : describe.skip;

/** Where the analyses query: the operator's Prometheus on loopback, as the controller runs on the host. */
export const prometheusAddress = (): string => process.env[PROMETHEUS_VARIABLE]!;

/**
 * What a user writes to have a workload's metrics scraped: its Monitoring (a ServiceMonitor of its
 * Services), scraped every second, with no alerts or dashboard of its own. The operator's Prometheus
 * scrapes nothing that no monitor selects.
 */
export function monitor(workload: WebService): Monitoring {
  return new Monitoring(Chart.of(workload), `${workload.name}-monitoring`, {
    workload,
    scrapeInterval: '1s',
    goldenSignals: false,
    dashboard: false,
  });
}

/** Alarms that need little time: measured every 2 s over 10 s of data, 3 times when gating. */
// Their pods appear seconds before a measurement, so missing data does not breach here (without the
// full-window initial delay that breaching brings); monitoring-e2e proves that missing data fails a canary.
export const fastErrorRate = (props: { measure?: 'canary' | 'service'; measurements?: number } = {}) =>
  Alarm.errorRate({
    threshold: 0.1,
    interval: '2s',
    window: '10s',
    measurements: 3,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    ...props,
  });

/** Sets the traffic of the pods of `namespace` whose name starts with `podPrefix` ('' for all of them). */
export async function setTraffic(
  namespace: string,
  podPrefix: string,
  profile: Partial<TrafficProfile>,
): Promise<void> {
  const url = `${process.env[EXPORTER_VARIABLE]}/profiles/${namespace}/${podPrefix}`;
  const response = await fetch(url, { method: 'PUT', body: JSON.stringify(profile) });
  if (!response.ok) {
    throw new Error(`exporter answered ${response.status} to ${url}: ${await response.text()}`);
  }
}

/** The constructs of one revision of an app, synthesized into a manifest file. */
export async function synthApp(
  namespace: string,
  build: (chart: Chart) => void,
  dir?: string,
): Promise<{ file: string; objects: Manifest[] }> {
  const chart = new Chart(testApp(), 'app', { namespace });
  build(chart);
  const objects = Testing.synth(chart) as Manifest[];
  return { file: await writeManifests(objects, dir), objects };
}

const api = () => ApiClient.fromKubeConfig(testKubeConfig());

export interface LiveRollout extends LiveObject {
  readonly spec: {
    readonly paused?: boolean;
    readonly strategy: { readonly canary?: { readonly steps?: unknown[] }; readonly blueGreen?: object };
  };
  readonly status?: LiveObject['status'] & {
    readonly phase?: string;
    readonly message?: string;
    readonly currentPodHash?: string;
    readonly stableRS?: string;
    readonly currentStepIndex?: number;
    readonly pauseConditions?: { reason: string }[];
    readonly abort?: boolean;
    readonly blueGreen?: { activeSelector?: string; previewSelector?: string };
  };
}

export function readRollout(namespace: string, name: string): Promise<LiveRollout> {
  return api().request<LiveRollout>({
    path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`,
  });
}

export async function readObject<T extends Manifest>(path: string): Promise<T> {
  return api().request<T>({ path });
}

/** The pod template hash a Service selects: which of a blue/green's ReplicaSets it sends traffic to. */
export const selectorHash = async (namespace: string, service: string): Promise<string | undefined> =>
  (
    await readObject<Manifest & { spec: { selector: Record<string, string> } }>(
      `/api/v1/namespaces/${namespace}/services/${service}`,
    )
  ).spec.selector['rollouts-pod-template-hash'];

/** The AnalysisRuns in a namespace, oldest first. */
export async function analysisRuns(namespace: string): Promise<LiveObject[]> {
  const list = await api().request<{ items: LiveObject[] }>({
    path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns`,
  });
  return list.items.sort((a, b) =>
    String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)),
  );
}

/**
 * Under load the Argo Rollouts controller was seen to miss a status-subresource patch (promote's
 * `pauseConditions: null`): the patch is in the live object, the controller's log shows no sync after
 * it, and the rollout stays Paused for minutes. An annotation is a change it reacts to, nothing more.
 */
async function nudge(namespace: string, name: string): Promise<void> {
  await api().request({
    path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/rollouts/${name}`,
    method: 'PATCH',
    contentType: CONTENT_TYPES.merge,
    body: { metadata: { annotations: { 'test.cdk8s-devops.io/nudged': String(Date.now()) } } },
  });
}

/**
 * Nudges the rollout every 10 s while it stays Paused with no pause condition left (a promote the
 * controller has not seen), until `done` settles. Returns how many nudges it took.
 */
export async function nudgeWhileUnseen(
  namespace: string,
  name: string,
  done: Promise<unknown>,
): Promise<number> {
  let settled = false;
  void done.finally(() => (settled = true));
  let nudges = 0;
  for (let since = Date.now(); !settled; await sleep(200)) {
    const status = (await readRollout(namespace, name)).status ?? {};
    if (status.phase !== 'Paused' || (status.pauseConditions ?? []).length > 0) {
      since = Date.now();
    } else if (Date.now() - since > 10_000) {
      await nudge(namespace, name);
      nudges += 1;
      since = Date.now();
    }
  }
  return nudges;
}

export function operate(namespace: string, name: string, operation: RolloutOperation): Promise<void> {
  return operateRollout(api(), operation, { namespace, name });
}

/**
 * Waits until the controller reports the rollout in `phase` (its own status.phase), and returns it. With
 * `leaving`, it also waits until the controller has seen a pod template other than the one of that pod
 * hash: a Rollout that refers to a Deployment keeps its generation when only the Deployment's template
 * changes, so right after such an apply its old phase still reads as current.
 */
export function rolloutPhase(
  namespace: string,
  name: string,
  phase: string,
  timeoutMs = 90_000,
  leaving?: string,
): Promise<LiveRollout> {
  const what = leaving ? `${phase} on a pod template other than ${leaving}` : phase;
  return eventually(
    `Rollout ${namespace}/${name} to be ${what}`,
    async () => {
      const rollout = await readRollout(namespace, name);
      const observed = String(rollout.status?.observedGeneration) === String(rollout.metadata.generation);
      const moved = leaving === undefined || (rollout.status?.currentPodHash ?? leaving) !== leaving;
      return observed && moved && rollout.status?.phase === phase ? rollout : undefined;
    },
    timeoutMs,
  );
}

/** `cdk8s-devops apply` of a manifest file into its own ApplySet. */
export function apply(file: string, namespace: string, ...flags: string[]) {
  return cli(['apply', file, '--applyset', 'app', '-n', namespace, '--yes', ...flags]);
}

export function watch(file: string, namespace: string, ...flags: string[]) {
  return cli(['watch', file, '--applyset', 'app', '-n', namespace, ...flags]);
}

/**
 * Takes a rollout from the pods of `stableHash` to new ones and to Healthy, promoting it at every pause
 * as a person would, and returns the steps it paused at (the step index of a canary; -1 for a
 * blue/green promotion).
 */
export async function promoteThroughPauses(
  namespace: string,
  name: string,
  stableHash: string,
): Promise<number[]> {
  const pausedAt = new Set<number>();
  let promotedAt = 0;
  await eventually(
    `Rollout ${namespace}/${name} to go through its steps to Healthy`,
    async () => {
      const rollout = await readRollout(namespace, name);
      const status = rollout.status ?? {};
      // A new pod template in the Deployment leaves the Rollout's generation as it was.
      if (
        String(status.observedGeneration) !== String(rollout.metadata.generation) ||
        status.currentPodHash === stableHash
      ) {
        return undefined;
      }
      if (status.phase === 'Degraded') {
        throw new Error(`Rollout ${name} is Degraded: ${status.message}`);
      }
      if ((status.pauseConditions ?? []).length > 0) {
        pausedAt.add(status.currentStepIndex ?? -1);
        await operate(namespace, name, 'promote');
        promotedAt = Date.now();
        return undefined;
      }
      // A promote the controller has not seen (see nudge).
      if (status.phase === 'Paused' && promotedAt && Date.now() - promotedAt > 10_000) {
        await nudge(namespace, name);
        promotedAt = Date.now();
      }
      return status.phase === 'Healthy' && status.stableRS === status.currentPodHash ? true : undefined;
    },
    480_000,
  );
  return [...pausedAt].sort((a, b) => a - b);
}
