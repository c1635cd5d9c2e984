/**
 * Monitoring as users run it: the real Prometheus Operator turns the ServiceMonitors, PodMonitors,
 * PrometheusRules and AlertmanagerConfigs the library writes into the configuration of a Prometheus and
 * an Alertmanager, which the harness runs with exactly that configuration (prometheus-operator.ts).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CoreV1Api } from '@kubernetes/client-node';
import { Chart, Testing } from 'cdk8s';
import { parseYaml } from '../util/yaml.js';
import { ApiClient } from '../../client/transport/api-client.js';
import type { Manifest } from '../../client/transport/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { Worker } from '../../lib/apps/worker.js';
import { DeploymentStrategy } from '../../lib/delivery/deployment-strategy.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { AlertRouting, NotificationTarget } from '../../lib/monitoring/alert-routing.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import { alertmanagerRelabelings, exporterRelabelings } from '../cluster/operator-config.js';
import { MONITORING_NAME, MONITORING_NAMESPACE } from '../cluster/prometheus-operator.js';
import { ALERTMANAGER_VARIABLE, EXPORTER_VARIABLE, KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import { testApp } from '../util/synth.js';
import { createNamespace, eventually, serverSideApply, testKubeConfig } from './cluster.js';
import {
  analysisRuns,
  apply,
  describeRollouts,
  prometheusAddress,
  readRollout,
  rolloutPhase,
  setTraffic,
  synthApp,
} from './rollouts.js';
import { loadedRuleGroups, prometheusData } from './prometheus.js';

const image = 'ghcr.io/acme/api:1.0.0';

/** The configuration the operator generated, from its Secret. */
async function generatedConfig(): Promise<Record<string, unknown>> {
  const secret = await ApiClient.fromKubeConfig(testKubeConfig()).request<{ data: Record<string, string> }>({
    path: `/api/v1/namespaces/${MONITORING_NAMESPACE}/secrets/prometheus-${MONITORING_NAME}`,
  });
  const text = gunzipSync(Buffer.from(secret.data['prometheus.yaml.gz'], 'base64')).toString('utf8');
  return parseYaml(text) as Record<string, unknown>;
}

/** The configuration file Prometheus runs, as its own flags name it. */
async function runningConfig(): Promise<Record<string, unknown>> {
  const flags = await prometheusData<Record<string, string>>('/api/v1/status/flags');
  return parseYaml(readFileSync(flags['config.file'], 'utf8')) as Record<string, unknown>;
}

/** Every leaf where `b` differs from `a`, as `path: a -> b`. */
function differences(a: unknown, b: unknown, path = ''): string[] {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((key) =>
      differences(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        Array.isArray(a) ? `${path}[${key}]` : path ? `${path}.${key}` : key,
      ),
    );
  }
  return JSON.stringify(a) === JSON.stringify(b)
    ? []
    : [`${path}: ${JSON.stringify(a)} -> ${JSON.stringify(b)}`];
}

function monitoredApp(namespace: string, routing?: (chart: Chart) => void): Manifest[] {
  const chart = new Chart(testApp(), 'monitored', { namespace });
  const api = new WebService(chart, 'api', { image });
  const orders = new Worker(chart, 'orders', { image, port: 9100 });
  new Monitoring(chart, 'api-monitoring', {
    workload: api,
    scrapeInterval: '1s',
    alarms: [Alarm.errorRate({ threshold: 0.05, period: '2s', window: '10s', measurements: 1 })],
    goldenSignals: { latency: false, saturation: false, restarts: false },
  });
  new Monitoring(chart, 'orders-monitoring', { workload: orders, scrapeInterval: '1s' });
  routing?.(chart);
  return Testing.synth(chart) as Manifest[];
}

interface Target {
  scrapePool: string;
  health: string;
  labels: Record<string, string>;
}

describeRollouts(
  'the Prometheus Operator configures Prometheus and Alertmanager from what the library writes',
  () => {
    let webhook: Server | undefined;
    afterAll(() => webhook?.close());

    test("the ServiceMonitor selects the api's Service, the PodMonitor the orders pods, the PrometheusRule is loaded", async () => {
      const namespace = await createNamespace('operator-select');
      await serverSideApply(monitoredApp(namespace));
      const targets = await eventually(
        'the two api pods and the orders pod to be scraped by the Prometheus the operator configured',
        async () => {
          const { activeTargets } = await prometheusData<{ activeTargets: Target[] }>('/api/v1/targets');
          const ours = activeTargets.filter((t) => t.labels.namespace === namespace && t.health === 'up');
          return ours.length === 3 ? ours : undefined;
        },
        120_000,
      );
      expect(targets.map((t) => `${t.scrapePool} ${t.labels.service}`).sort()).toEqual([
        `podMonitor/${namespace}/orders/0 orders`,
        `serviceMonitor/${namespace}/api/0 api`,
        `serviceMonitor/${namespace}/api/0 api`,
      ]);
      // In cluster, `instance` is the pod's address: it stays so, though the exporter is what is scraped.
      for (const target of targets) {
        expect(target.labels.instance).toMatch(/^10\.244\.\d+\.\d+:(8080|9100)$/);
        expect(target.labels.pod).toMatch(/^(api|orders)-/);
      }
      // Loaded through the operator's rule selection: its rule ConfigMaps, written to disk, reloaded.
      const rules = await loadedRuleGroups(namespace, 2);
      expect(rules.map((g) => g.name)).toEqual([`${namespace}.api`, `${namespace}.orders`]);
      expect(rules[0].rules.map((r) => r.name)).toContain('ApiErrorRate');
    }, 240_000);

    test("the configuration Prometheus runs differs from the operator's Secret only in the API server's and the pods' addresses", async () => {
      const namespace = await createNamespace('operator-config');
      await serverSideApply(monitoredApp(namespace));
      // Both read after the operator and the reloader took this namespace's monitors in.
      const { generated, running } = await eventually(
        'the running configuration to hold the monitors of this namespace',
        async () => {
          const [generated, running] = [await generatedConfig(), await runningConfig()];
          const jobsOf = (config: Record<string, unknown>) =>
            (config.scrape_configs as { job_name: string }[]).map((j) => j.job_name);
          // Other tests' monitors come and go: compare a Secret that did not change meanwhile with a
          // file the reloader wrote from it.
          const stable = JSON.stringify(generated) === JSON.stringify(await generatedConfig());
          const caughtUp = JSON.stringify(jobsOf(generated)) === JSON.stringify(jobsOf(running));
          return stable && caughtUp && jobsOf(running).includes(`serviceMonitor/${namespace}/api/0`)
            ? { generated, running }
            : undefined;
        },
        120_000,
      );
      const jobs = generated.scrape_configs as unknown[];
      expect(jobs.length).toBeGreaterThanOrEqual(2);
      const kubeconfig = process.env[KUBECONFIG_VARIABLE]!;
      const exporter = new URL(process.env[EXPORTER_VARIABLE]!).host;
      const alertmanager = new URL(process.env[ALERTMANAGER_VARIABLE]!).host;
      const appended = (relabelings: unknown[]) => new Set(relabelings.map((r) => JSON.stringify(r)));
      const toExporter = appended(exporterRelabelings(exporter));
      const toAlertmanager = appended(alertmanagerRelabelings(alertmanager));
      const allowed: ((line: string) => boolean)[] = [
        // Discovery reaches the API server through the kubeconfig (in a pod: the service account).
        (line) =>
          new RegExp(
            `^(scrape_configs|alerting\\.alertmanagers)\\[\\d+\\]\\.kubernetes_sd_configs\\[\\d+\\]\\.kubeconfig_file: undefined -> "${kubeconfig}"$`,
          ).test(line),
        // The pods' addresses: kept as `instance`, scraped at the exporter with the pod as parameters.
        (line) =>
          /^scrape_configs\[\d+\]\.relabel_configs\[\d+\]: undefined -> /.test(line) &&
          toExporter.has(line.split(' -> ')[1]),
        // Alertmanager's pod address: the Alertmanager process.
        (line) =>
          /^alerting\.alertmanagers\[0\]\.relabel_configs\[\d+\]: undefined -> /.test(line) &&
          toAlertmanager.has(line.split(' -> ')[1]),
        // The rule ConfigMaps' volume, and what the config reloader expands: $(POD_NAME), $(SHARD).
        (line) =>
          /^rule_files\[\d\]: "\/etc\/prometheus\/rules\/(.+)" -> ".+\/operator-rules\/\1"$/.test(line),
        (line) => line === 'global.external_labels.prometheus_replica: "$(POD_NAME)" -> "prometheus-test-0"',
        (line) => {
          const shard =
            /^scrape_configs\[\d+\]\.relabel_configs\[\d+\]\.(replacement|regex): "(.*)" -> "(.*)"$/.exec(
              line,
            );
          return (
            shard !== null &&
            shard[2].includes('$(SHARD)') &&
            shard[2].replaceAll('$(SHARD)', '0') === shard[3]
          );
        },
      ];
      const diff = differences(generated, running);
      expect(diff.filter((line) => !allowed.some((ok) => ok(line)))).toEqual([]);
      // Each kind of change is there (the check can fail): a kubeconfig per discovery, the relabelings per job.
      expect(diff.filter((line) => line.includes('kubeconfig_file')).length).toBe(jobs.length + 1);
      expect(diff.filter((line) => allowed[1](line)).length).toBe(4 * jobs.length);
      expect(diff.filter((line) => allowed[2](line)).length).toBe(1);
      // And Prometheus took that file: its last reload succeeded, with these jobs.
      const loaded = parseYaml((await prometheusData<{ yaml: string }>('/api/v1/status/config')).yaml) as {
        scrape_configs: { job_name: string }[];
      };
      expect(loaded.scrape_configs.map((j) => j.job_name)).toEqual(
        (running.scrape_configs as { job_name: string }[]).map((j) => j.job_name),
      );
    }, 240_000);

    test('an alert that fires is routed by the AlertmanagerConfig to the webhook receiver it names', async () => {
      const received: { receiver: string; status: string; alerts: { labels: Record<string, string> }[] }[] =
        [];
      webhook = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk) => (body += String(chunk)));
        req.on('end', () => {
          received.push(JSON.parse(body) as (typeof received)[number]);
          res.end();
        });
      });
      await new Promise<void>((resolve) => webhook!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`;
      const namespace = await createNamespace('operator-alert');
      await testKubeConfig()
        .makeApiClient(CoreV1Api)
        .createNamespacedSecret({
          namespace,
          body: { metadata: { name: 'alerting' }, stringData: { webhook: url } },
        });
      await serverSideApply(
        monitoredApp(namespace, (chart) => {
          new AlertRouting(chart, 'alerts', {
            routes: { critical: [NotificationTarget.webhook({ secretName: 'alerting', key: 'webhook' })] },
          });
        }),
      );
      await setTraffic(namespace, 'api-', { errorRatio: 0.5 });
      const notification = await eventually(
        'the webhook to receive ApiErrorRate',
        () => received.find((n) => n.alerts.some((a) => a.labels.namespace === namespace)),
        180_000,
      );
      // The operator names an AlertmanagerConfig's receivers `<namespace>/<name>/<receiver>`.
      expect(notification.receiver).toBe(`${namespace}/alert-routing/critical`);
      expect(notification.status).toBe('firing');
      expect(notification.alerts.map((a) => a.labels)).toEqual([
        {
          alertname: 'ApiErrorRate',
          alarm: 'error-rate',
          namespace,
          prometheus: `${MONITORING_NAMESPACE}/${MONITORING_NAME}`,
          service: 'api',
          severity: 'critical',
        },
      ]);
      expect(process.env[ALERTMANAGER_VARIABLE]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    }, 300_000);

    test('blue/green: the pre-promotion analysis measures the new pods through the preview Service, passes, and the post-promotion analysis runs', async () => {
      const namespace = await createNamespace('operator-bg');
      // Missing data breaches: an analysis that finds no series of the new pods fails the release.
      const errorRate = Alarm.errorRate({ threshold: 0.1, period: '2s', window: '20s', measurements: 3 });
      const revision = (tag: string) =>
        synthApp(namespace, (chart) => {
          const web = new WebService(chart, 'web', {
            image: `ghcr.io/acme/web:${tag}`,
            strategy: DeploymentStrategy.blueGreen({
              prePromotionAnalysis: [errorRate],
              postPromotionAnalysis: [errorRate],
              prometheusAddress: prometheusAddress(),
            }),
          });
          new Monitoring(chart, 'monitoring', { workload: web, scrapeInterval: '1s', goldenSignals: false });
        });
      expect(
        (await apply((await revision('1.0.0')).file, namespace, '--wait', '--timeout', '120s')).code,
      ).toBe(0);
      const blue = (await readRollout(namespace, 'web')).status!.currentPodHash!;
      expect((await apply((await revision('2.0.0')).file, namespace)).code).toBe(0);
      const healthy = await eventually(
        'the green release to be promoted',
        async () => {
          const rollout = await readRollout(namespace, 'web');
          if (rollout.status?.phase === 'Degraded') {
            throw new Error(`the release aborted: ${rollout.status.message}`);
          }
          const done =
            rollout.status?.currentPodHash !== blue &&
            rollout.status?.stableRS === rollout.status?.currentPodHash;
          return done && rollout.status?.phase === 'Healthy' ? rollout : undefined;
        },
        240_000,
      );
      expect(healthy.status!.blueGreen!.activeSelector).toBe(healthy.status!.currentPodHash);
      const runs = (await analysisRuns(namespace)) as (Manifest & {
        status?: { phase?: string; metricResults?: { measurements?: { value?: string }[] }[] };
      })[];
      const green = healthy.status!.currentPodHash!;
      const ofGreen = runs.filter((r) => r.metadata.name.includes(green));
      expect(ofGreen.map((r) => [r.metadata.name.replace(green, '<green>'), r.status?.phase]).sort()).toEqual(
        [
          ['web-<green>-2-post', 'Successful'],
          ['web-<green>-2-pre', 'Successful'],
        ],
      );
      // Each measured the green pods' error ratio, not an empty result.
      for (const run of ofGreen) {
        for (const m of run.status!.metricResults![0].measurements!) {
          expect(m.value).toBe('[0]');
        }
      }
      await rolloutPhase(namespace, 'web', 'Healthy');
    }, 420_000);
  },
);
