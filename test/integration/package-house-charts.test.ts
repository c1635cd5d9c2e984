/**
 * The house charts as a product team uses them, on the real control plane: a PlatformChart namespace and
 * a ServiceChart with its build and monitoring are accepted by the API server and the CRD schemas; the
 * real Tekton controller runs the service's build pipeline in that namespace (Pod Security "restricted",
 * the ResourceQuota and LimitRange in force), and the real Prometheus loads and evaluates both charts'
 * rules.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chart } from 'cdk8s';
import { CustomObjectsApi } from '@kubernetes/client-node';
import YAML from 'yaml';
import { PlatformChart, ServiceChart } from '../../charts/index.js';
import type { Manifest } from '../../client/resources.js';
import { NotificationTarget } from '../../lib/index.js';
import { binaryPath } from '../cluster/components.js';
import { freePorts } from '../cluster/control-plane.js';
import { RESULTS_ANNOTATION } from '../cluster/tekton.js';
import type { Obj } from '../util/synth.js';
import { synth, testApp } from '../util/synth.js';
import { describeCluster, eventually, serverSideApply, testKubeConfig } from './cluster.js';

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
  let prometheus: ChildProcess | undefined;
  let dir: string | undefined;

  afterAll(() => {
    prometheus?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

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
  }, 240_000);

  test("the real Prometheus loads and evaluates both charts' rules", async () => {
    const team = teamCharts();
    const groups = [...team.platform, ...team.service]
      .filter((o) => o.kind === 'PrometheusRule')
      .flatMap((o) => o.spec.groups);
    dir = mkdtempSync(join(tmpdir(), 'house-charts-rules-'));
    writeFileSync(join(dir, 'rules.yaml'), YAML.stringify({ groups }));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      YAML.stringify({ global: { evaluation_interval: '1s' }, rule_files: ['rules.yaml'] }),
    );
    const [port] = await freePorts(1);
    const url = `http://127.0.0.1:${port}`;
    prometheus = spawn(
      binaryPath('prometheus'),
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { cwd: dir, stdio: 'ignore' },
    );
    interface RuleGroup {
      name: string;
      rules: { name: string; health: string; lastError?: string }[];
    }
    const loaded = await eventually(
      'Prometheus to have evaluated every rule',
      async () => {
        try {
          const body = (await (await fetch(`${url}/api/v1/rules`)).json()) as {
            data: { groups: RuleGroup[] };
          };
          const rules = body.data.groups.flatMap((g) => g.rules);
          return rules.length > 0 && rules.every((r) => r.health !== 'unknown')
            ? body.data.groups
            : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
    );
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
  }, 120_000);
});
