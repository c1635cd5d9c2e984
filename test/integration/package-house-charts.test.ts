/**
 * The house charts as a product team uses them, on the real control plane: a PlatformChart namespace and
 * a ServiceChart with its build and monitoring are accepted by the API server and the CRD schemas; the
 * real Tekton controller runs the service's build pipeline in that namespace (Pod Security "restricted",
 * the ResourceQuota and LimitRange in force), and the Prometheus the Prometheus Operator configures
 * loads both charts' rules by its rule selection and evaluates them.
 */
import { randomBytes } from 'node:crypto';
import { Chart } from 'cdk8s';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { PlatformChart, ServiceChart } from '../../charts/index.js';
import type { Manifest } from '../../client/transport/resources.js';
import { NotificationTarget } from '../../lib/index.js';
import { RESULTS_ANNOTATION } from '../cluster/tekton.js';
import type { Obj } from '../util/synth.js';
import { synth, testApp } from '../util/synth.js';
import { describeCluster, eventually, serverSideApply, testKubeConfig } from './cluster.js';
import { loadedRuleGroups } from './prometheus.js';

const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const BUILDSPEC = `version: 0.2
env:
  exported-variables: [VERSION]
phases:
  install:
    commands:
      - npm ci
  build:
    commands:
      - npm test
      - VERSION="$(node -p 'require("./package.json").version')"
`;

/** The two charts of one team namespace, and a run of the service's build for COMMIT. */
function teamCharts() {
  const namespace = `payments-${randomBytes(3).toString('hex')}`;
  const app = testApp();
  const platform = new PlatformChart(app, 'platform', {
    namespace,
    alerts: { critical: [NotificationTarget.webhook({ secretName: 'alerting', key: 'pager-url' })] },
  });
  const service = new ServiceChart(app, 'payments', {
    namespace,
    image: 'ghcr.io/acme/payments',
    tag: '2.3.1',
    strategy: 'canary',
    alarms: { errorRate: 0.01 },
    build: {
      repository: 'https://github.com/acme/payments.git',
      image: 'docker.io/library/node:22.11.0-bookworm',
      buildSpec: BUILDSPEC,
    },
  });
  const runs = new Chart(app, 'runs', { namespace });
  service.buildPipeline!.runFor(runs, 'run', COMMIT, { workspaces: { source: { emptyDir: true } } });
  // What kwok's Tekton pods report as each Task's results.
  const results: Record<string, Record<string, string>> = {
    'payments-source': { commit: COMMIT, url: 'https://github.com/acme/payments.git' },
    'payments-build': { VERSION: '2.3.1' },
  };
  const serviceObjects = synth(service).map((o) =>
    o.kind === 'Task'
      ? {
          ...o,
          metadata: {
            ...o.metadata,
            annotations: {
              [RESULTS_ANNOTATION]: Object.entries(results[o.metadata.name])
                .map(([key, value]) => JSON.stringify({ key, value, type: 1 }))
                .join(','),
            },
          },
        }
      : o,
  );
  return { namespace, platform: synth(platform), service: serviceObjects, run: synth(runs)[0] };
}

const kinds = (objects: readonly Manifest[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

describeCluster('the house charts on a real control plane', () => {
  test('a PlatformChart namespace and a ServiceChart with build and monitoring are accepted; the build runs there', async () => {
    const team = teamCharts();
    const stored = await serverSideApply([...team.platform, ...team.service] as Manifest[]);
    expect(kinds(stored)).toEqual(kinds([...team.platform, ...team.service] as Manifest[]));
    // The CRD schemas kept every field: nothing was pruned from the monitoring and pipeline objects.
    for (const kind of ['PrometheusRule', 'ServiceMonitor', 'AlertmanagerConfig', 'Task', 'Pipeline']) {
      for (const written of [...team.platform, ...team.service].filter((o) => o.kind === kind)) {
        const kept = stored.find((o) => o.kind === kind && o.metadata.name === written.metadata.name) as Obj;
        expect({ kind, spec: kept.spec }).toEqual({ kind, spec: written.spec });
      }
    }

    // The real Tekton controller runs the build: its pods admitted under "restricted" and the quota.
    await serverSideApply([team.run]);
    const custom = testKubeConfig().makeApiClient(CustomObjectsApi);
    const succeeded = await eventually(
      'the build PipelineRun to finish',
      async () => {
        const run = (await custom.getNamespacedCustomObject({
          group: 'tekton.dev',
          version: 'v1',
          namespace: team.namespace,
          plural: 'pipelineruns',
          name: team.run.metadata.name,
        })) as {
          status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
        };
        const condition = run.status?.conditions?.find((c) => c.type === 'Succeeded');
        return condition && condition.status !== 'Unknown' ? condition : undefined;
      },
      120_000,
    );
    expect(succeeded).toMatchObject({ status: 'True', reason: 'Succeeded' });
    const taskRuns = (await custom.listNamespacedCustomObject({
      group: 'tekton.dev',
      version: 'v1',
      namespace: team.namespace,
      plural: 'taskruns',
    })) as {
      items: {
        metadata: { labels: Record<string, string> };
        spec: { serviceAccountName: string; params?: { name: string; value: string }[] };
        status: { podName: string };
      }[];
    };
    const byTask = Object.fromEntries(
      taskRuns.items.map((t) => [t.metadata.labels['tekton.dev/pipelineTask'], t]),
    );
    expect(Object.keys(byTask).sort()).toEqual(['build', 'fetch']);
    expect(byTask.fetch.spec.serviceAccountName).toBe('payments-source-git');
    expect(byTask.build.spec.serviceAccountName).toBe('payments-build-build');
    expect(byTask.build.spec.params).toEqual([{ name: 'source-version', value: COMMIT }]);
    // The build's pods are the ones its egress NetworkPolicy selects, and the only ones.
    const policy = team.service.find((o) => o.metadata.name === 'payments-build-egress')!;
    const selected = await testKubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({
        namespace: team.namespace,
        labelSelector: Object.entries(policy.spec.podSelector.matchLabels as Record<string, string>)
          .map(([key, value]) => `${key}=${value}`)
          .join(','),
      });
    expect(selected.items.map((p) => p.metadata!.name).sort()).toEqual(
      [byTask.build.status.podName, byTask.fetch.status.podName].sort(),
    );
  }, 240_000);

  test("the Prometheus Operator's Prometheus loads both charts' rules by its rule selection and evaluates them", async () => {
    const team = teamCharts();
    await serverSideApply([...team.platform, ...team.service] as Manifest[]);
    const loaded = await loadedRuleGroups(team.namespace, 2);
    expect(loaded.map((g) => g.name)).toEqual([`${team.namespace}.namespace`, `${team.namespace}.payments`]);
    expect(loaded.flatMap((g) => g.rules.map((r) => `${r.name} ${r.health}${r.lastError ?? ''}`))).toEqual([
      'NamespaceQuota ok',
      'NamespaceQuotaNoData ok',
      'NamespaceCrashLooping ok',
      'NamespacePodsPending ok',
      'PaymentsCpuSaturation ok',
      'PaymentsCpuSaturationNoData ok',
      'PaymentsRestarts ok',
      'PaymentsRestartsNoData ok',
      'PaymentsErrorRate ok',
      'PaymentsErrorRateNoData ok',
      'PaymentsLatencyP99 ok',
      'PaymentsLatencyP99NoData ok',
    ]);
  }, 180_000);
});
