/**
 * The real Prometheus judges the generated rules: `promtool check rules` on the PrometheusRule of a
 * monitored WebService, and `promtool test rules` with synthetic series for each golden-signal alarm,
 * proving that it fires when it should, stays silent when it should, and treats missing data as
 * configured. promtool is built from the Prometheus Go module with the control plane's components.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { toYaml } from '../util/yaml.js';
import { WebService } from '../../lib/apps/web-service.js';
import { TreatMissingData } from '../../lib/alarms/alarm-props.js';
import type { GoldenSignalOptions } from '../../lib/monitoring/golden-signals.js';
import { Monitoring } from '../../lib/monitoring/monitoring.js';
import { binaryPath } from '../cluster/components.js';
import { one, synth, testStack } from '../util/synth.js';
import { describeCluster } from './cluster.js';

const STEP_SECONDS = 15;
const run = promisify(execFile);

/** The rule groups of the shop's api, monitored with its golden signals (changed by `goldenSignals`). */
function ruleGroups(goldenSignals: GoldenSignalOptions = {}) {
  const stack = testStack();
  const api = new WebService(stack.addTier('app'), 'api', { image: 'ghcr.io/acme/api:1.0.0' });
  new Monitoring(stack, 'monitoring', { workload: api, goldenSignals, scrapeInterval: '15s' });
  return one(synth(stack), 'PrometheusRule', 'api-alarms').spec.groups as {
    rules: { alert: string; labels: Record<string, string>; annotations: Record<string, string> }[];
  }[];
}

/** A counter's samples, one per step, from its increase in each step. */
function counter(increments: number[]): string {
  let value = 0;
  return [0, ...increments.map((d) => (value += d))].join(' ');
}
const steps = (minutes: number, increment: number) => Array<number>(minutes * 4).fill(increment);

const shop = 'namespace="shop",service="api"';
const pod = 'namespace="shop",container="api",pod="api-1"';

interface Case {
  readonly series: Record<string, string>;
  readonly evalTime: string;
  readonly alert: string;
  /** The alert's labels beyond the rule's, or undefined when it must stay silent. */
  readonly fires?: Record<string, string>;
}

let dir: string;

/** Runs `promtool test rules` on `cases` against the rules of `groups`; resolves with its output. */
async function promtoolTest(groups: ReturnType<typeof ruleGroups>, cases: Case[]) {
  const rules = groups.flatMap((g) => g.rules);
  writeFileSync(join(dir, 'rules.yaml'), toYaml({ groups }));
  const tests = cases.map((c) => {
    const rule = rules.find((r) => r.alert === c.alert);
    if (!rule) throw new Error(`no rule ${c.alert}`);
    return {
      interval: `${STEP_SECONDS}s`,
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: [
        {
          eval_time: c.evalTime,
          alertname: c.alert,
          exp_alerts: c.fires
            ? [{ exp_labels: { ...rule.labels, ...c.fires }, exp_annotations: rule.annotations }]
            : [],
        },
      ],
    };
  });
  writeFileSync(
    join(dir, 'tests.yaml'),
    toYaml({ rule_files: ['rules.yaml'], evaluation_interval: `${STEP_SECONDS}s`, tests }),
  );
  return run(binaryPath('promtool'), ['test', 'rules', join(dir, 'tests.yaml')], { cwd: dir });
}

describeCluster('generated alert rules, judged by promtool', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'promtool-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('promtool check rules accepts every golden-signal rule and its "no data" companion', async () => {
    const file = join(dir, 'check.yaml');
    writeFileSync(file, toYaml({ groups: ruleGroups() }));
    const { stdout } = await run(binaryPath('promtool'), ['check', 'rules', file]);
    expect(stdout).toContain('SUCCESS: 8 rules found');
  });

  test('promtool check rules would refuse a broken rule (the check can fail)', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, toYaml({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'rate(x[5m]' }] }] }));
    await expect(run(binaryPath('promtool'), ['check', 'rules', file])).rejects.toMatchObject({
      stderr: expect.stringContaining('FAILED'),
    });
  });

  const http = (ok: number, errors?: number): Record<string, string> => ({
    [`http_requests_total{${shop},code="200"}`]: counter(steps(20, ok * STEP_SECONDS)),
    ...(errors === undefined
      ? {}
      : { [`http_requests_total{${shop},code="500"}`]: counter(steps(20, errors * STEP_SECONDS)) }),
  });

  test('error rate: fires above 5%, silent below and with no 5xx series at all; no data fires its companion', async () => {
    await promtoolTest(ruleGroups(), [
      { series: http(10, 1), evalTime: '10m', alert: 'ApiErrorRate', fires: {} },
      { series: http(10, 0.2), evalTime: '10m', alert: 'ApiErrorRate' },
      { series: http(10), evalTime: '10m', alert: 'ApiErrorRate' },
      { series: http(10), evalTime: '10m', alert: 'ApiErrorRateNoData' },
      { series: {}, evalTime: '10m', alert: 'ApiErrorRate' },
      { series: {}, evalTime: '10m', alert: 'ApiErrorRateNoData', fires: {} },
    ]);
  });

  test('error rate with missing data breaching fires on no data; not breaching stays silent', async () => {
    await promtoolTest(ruleGroups({ errorRate: { treatMissingData: TreatMissingData.BREACHING } }), [
      { series: {}, evalTime: '10m', alert: 'ApiErrorRate', fires: {} },
      { series: http(10, 0), evalTime: '10m', alert: 'ApiErrorRate' },
    ]);
    const notBreaching = ruleGroups({ errorRate: { treatMissingData: TreatMissingData.NOT_BREACHING } });
    expect(notBreaching[0].rules.map((r) => r.alert)).not.toContain('ApiErrorRateNoData');
    await promtoolTest(notBreaching, [{ series: {}, evalTime: '10m', alert: 'ApiErrorRate' }]);
  });

  const latency = (slow: boolean): Record<string, string> => ({
    [`http_request_duration_seconds_bucket{${shop},le="0.5"}`]: counter(steps(20, slow ? 0 : 15)),
    [`http_request_duration_seconds_bucket{${shop},le="2.5"}`]: counter(steps(20, 15)),
    [`http_request_duration_seconds_bucket{${shop},le="+Inf"}`]: counter(steps(20, 15)),
  });

  test('latency p99: fires after 3 breaching periods (for 2m), never before; silent when fast; no data', async () => {
    await promtoolTest(ruleGroups(), [
      { series: latency(true), evalTime: '10m', alert: 'ApiLatencyP99', fires: {} },
      // Breaching from the second sample on (15s): pending through 2m15s, firing from 2m30s.
      { series: latency(true), evalTime: '2m', alert: 'ApiLatencyP99' },
      { series: latency(true), evalTime: '2m30s', alert: 'ApiLatencyP99', fires: {} },
      { series: latency(false), evalTime: '10m', alert: 'ApiLatencyP99' },
      { series: {}, evalTime: '10m', alert: 'ApiLatencyP99NoData', fires: {} },
    ]);
  });

  /** CPU use of 0.1 core, with `busyMinutes` minutes at 0.9 core from minute 10; a limit of 0.5 core. */
  const cpu = (busyMinutes: number): Record<string, string> => {
    const increments = steps(20, 0.1 * STEP_SECONDS);
    increments.fill(0.9 * STEP_SECONDS, 40, 40 + busyMinutes * 4);
    return {
      [`container_cpu_usage_seconds_total{${pod}}`]: counter(increments),
      [`kube_pod_container_resource_limits{${pod},resource="cpu"}`]: `0.5+0x${20 * 4}`,
    };
  };

  test('CPU saturation: 3 of 5 periods above 90% of the limit fire, 2 of 5 do not; no data', async () => {
    await promtoolTest(ruleGroups(), [
      { series: cpu(3), evalTime: '15m', alert: 'ApiCpuSaturation', fires: {} },
      { series: cpu(2), evalTime: '15m', alert: 'ApiCpuSaturation' },
      { series: cpu(0), evalTime: '15m', alert: 'ApiCpuSaturation' },
      {
        series: {},
        evalTime: '10m',
        alert: 'ApiCpuSaturationNoData',
        fires: { container: 'api' },
      },
    ]);
  });

  const restarts = (at?: number) => ({
    [`kube_pod_container_status_restarts_total{${pod}}`]:
      at === undefined ? `0+0x${20 * 4}` : `0+0x${at * 4} 1+0x${(20 - at) * 4 - 1}`,
  });

  test('restarts: fire within 5 minutes of a restart, then stop; silent without restarts; no data', async () => {
    await promtoolTest(ruleGroups(), [
      { series: restarts(10), evalTime: '12m', alert: 'ApiRestarts', fires: {} },
      { series: restarts(10), evalTime: '16m', alert: 'ApiRestarts' },
      { series: restarts(), evalTime: '12m', alert: 'ApiRestarts' },
      { series: {}, evalTime: '10m', alert: 'ApiRestartsNoData', fires: { container: 'api' } },
    ]);
  });
});
