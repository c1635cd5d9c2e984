/**
 * End to end with the Prometheus the Prometheus Operator configures and the real Argo Rollouts
 * controller: an app's metrics (served by the test exporter in place of its kwok pods, scraped through
 * its ServiceMonitor) drive the alert its PrometheusRule generates to firing once the operator's rule
 * selection has loaded it, and a canary analysis made from the same Alarm fails when its metric has no
 * data.
 */
import { Chart, Testing } from 'cdk8s';
import { ApiClient } from '../../client/transport/api-client.js';
import type { LiveObject } from '../../client/wait/readiness/index.js';
import { describeRun } from '../../client/wait/readiness/rollout.js';
import type { Manifest } from '../../client/transport/resources.js';
import { WebService } from '../../lib/apps/web-service.js';
import { analysisTemplateFromAlarms } from '../../lib/delivery/analysis.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import type { Obj } from '../util/synth.js';
import { testApp } from '../util/synth.js';
import { createNamespace, eventually, serverSideApply, testKubeConfig } from './cluster.js';
import { alertsOf, loadedRuleGroups, query } from './prometheus.js';
import { describeRollouts, prometheusAddress, setTraffic } from './rollouts.js';

const image = 'ghcr.io/acme/api:1.0.0';
/** The api's error rate alarm, measured every 2 seconds over 10 seconds of requests. */
const errorRate = Alarm.errorRate({ threshold: 0.05, period: '2s', window: '10s', measurements: 1 });

describeRollouts('monitoring end to end, with the Prometheus Operator and Argo Rollouts', () => {
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
    await serverSideApply(Testing.synth(chart) as Obj[]);
    expect(monitoring.alarms.map((a) => a.name)).toEqual(['error-rate']);
    const [group] = await loadedRuleGroups(namespace, 1);
    expect(group.name).toBe(`${namespace}.api`);
    expect(group.rules.map((r) => r.name)).toEqual(['ApiErrorRate', 'ApiErrorRateNoData']);

    const apiAlerts = () => alertsOf(namespace);
    // Healthy traffic first: scraped, and nothing fires.
    await eventually(
      "Prometheus to scrape the api's pods",
      async () => {
        const [count] = await query(`count(http_requests_total{namespace="${namespace}",service="api"})`);
        return Number(count?.value[1]) >= 4 || undefined;
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
