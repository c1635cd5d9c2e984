/**
 * End to end with the real Prometheus and the real Argo Rollouts controller: an app's metrics (served
 * by the test exporter in place of its kwok pods) drive a generated alert to firing, and a canary
 * analysis made from the same Alarm fails when its metric has no data.
 */
import { Chart, Testing } from 'cdk8s';
import YAML from 'yaml';
import { ApiClient } from '../../client/api-client.js';
import type { LiveObject } from '../../client/readiness/index.js';
import { describeRun } from '../../client/readiness/rollout.js';
import type { Manifest } from '../../client/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { analysisTemplateFromAlarms } from '../../lib/delivery/analysis.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import { prometheusConfig } from '../cluster/control-plane.js';
import { EXPORTER_VARIABLE, KUBECONFIG_VARIABLE } from '../cluster/test-cluster.js';
import type { Obj } from '../util/synth.js';
import { one, testApp } from '../util/synth.js';
import { createNamespace, eventually, serverSideApply, testKubeConfig } from './cluster.js';
import type { RulesPrometheus } from './prometheus.js';
import { startRulesPrometheus } from './prometheus.js';
import { describeRollouts, prometheusAddress, setTraffic } from './rollouts.js';

const image = 'ghcr.io/acme/api:1.0.0';
/** The api's error rate alarm, measured every 2 seconds over 10 seconds of requests. */
const errorRate = Alarm.errorRate({ threshold: 0.05, period: '2s', window: '10s', measurements: 1 });

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

describeRollouts('monitoring end to end, with the real Prometheus and Argo Rollouts', () => {
  let prometheus: RulesPrometheus | undefined;
  let prometheusUrl = '';

  afterAll(() => prometheus?.stop());

  /** Starts a Prometheus of this test's own with the harness's scrape configuration and the generated rules. */
  async function startPrometheus(groups: unknown): Promise<void> {
    const exporter = new URL(process.env[EXPORTER_VARIABLE]!).host;
    const config = YAML.parse(prometheusConfig(process.env[KUBECONFIG_VARIABLE]!, exporter)) as Record<
      string,
      unknown
    >;
    prometheus = await startRulesPrometheus(config, groups, 'monitoring-e2e-');
    prometheusUrl = prometheus.url;
  }

  const alerts = async (): Promise<PromAlert[]> =>
    ((await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as { data: { alerts: PromAlert[] } }).data
      .alerts;

  test("the app's 5xx drive the generated error-rate alert to firing; its metrics present, no 'no data' alert", async () => {
    const namespace = await createNamespace('monitoring-e2e');
    const chart = new Chart(testApp(), 'e2e', { namespace });
    const api = new WebService(chart, 'api', { image });
    const monitoring = new Monitoring(chart, 'monitoring', {
      workload: api,
      scrapeInterval: '1s',
      alarms: [errorRate],
      goldenSignals: { latency: false, saturation: false, restarts: false },
    });
    const objects = Testing.synth(chart) as Obj[];
    await serverSideApply(objects);
    await startPrometheus(one(objects, 'PrometheusRule').spec.groups);
    expect(monitoring.alarms.map((a) => a.name)).toEqual(['error-rate']);

    const apiAlerts = async () => (await alerts()).filter((a) => a.labels.namespace === namespace);
    // Healthy traffic first: scraped, and nothing fires.
    await eventually(
      "Prometheus to scrape the api's pods",
      async () => {
        const body = (await (
          await fetch(
            `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`count(http_requests_total{namespace="${namespace}",service="api"})`)}`,
          )
        ).json()) as { data: { result: { value: [number, string] }[] } };
        return Number(body.data.result[0]?.value[1]) >= 4 || undefined;
      },
      90_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await apiAlerts()).toEqual([]);

    await setTraffic(namespace, 'api-', { errorRatio: 0.5 });
    const firing = await eventually(
      'ApiErrorRate to fire',
      async () =>
        (await apiAlerts()).find((a) => a.labels.alertname === 'ApiErrorRate' && a.state === 'firing'),
      60_000,
    );
    expect(firing.labels).toEqual({
      alertname: 'ApiErrorRate',
      alarm: 'error-rate',
      namespace,
      service: 'api',
      severity: 'critical',
    });
    expect((await apiAlerts()).map((a) => a.labels.alertname)).toEqual(['ApiErrorRate']);
  });

  test('a canary analysis made from the same Alarm fails when the canary exports no data', async () => {
    const namespace = await createNamespace('monitoring-nodata');
    const chart = new Chart(testApp(), 'analysis', { namespace });
    const template = analysisTemplateFromAlarms(chart, 'Analysis', {
      alarms: [errorRate],
      name: 'api-canary',
      service: 'api',
      prometheusAddress: prometheusAddress(),
      purpose: 'analysis of step 1',
      gate: true,
    });
    const [sent] = Testing.synth(chart) as Obj[];
    expect(sent.metadata.name).toBe(template.name);
    // An AnalysisRun as a Rollout makes it from the template, for a canary whose pods export nothing.
    const run = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'api-canary-1', namespace },
      spec: { metrics: sent.spec.metrics, args: [{ name: 'canary-hash', value: 'no-such-pods' }] },
    } as Manifest;
    await serverSideApply([run]);
    const api = ApiClient.fromKubeConfig(testKubeConfig());
    const live = await eventually('the AnalysisRun to end', async () => {
      const run = await api.request<LiveObject & { status?: { phase?: string; metricResults?: any[] } }>({
        path: `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/analysisruns/api-canary-1`,
      });
      return ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(run.status?.phase ?? '')
        ? run
        : undefined;
    });
    const status = live.status!;
    expect(status.phase).toBe('Failed');
    expect(status.metricResults?.[0]).toMatchObject({ name: 'error-rate', phase: 'Failed', failed: 1 });
    // The measurement that failed it saw no series at all.
    expect(status.metricResults?.[0].measurements[0]).toMatchObject({ phase: 'Failed', value: '[]' });
    // What `watch` prints about it.
    expect(describeRun(live)).toBe(
      'AnalysisRun api-canary-1 Failed: error-rate had no data (limit: result[0] > 0.05)',
    );
  });
});
