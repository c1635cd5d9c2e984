import { Alarm } from '../../lib/alarms/alarm.js';
import { TreatMissingData } from '../../lib/alarms/alarm-props.js';
import { Statistic } from '../../lib/alarms/statistic.js';
import { testChart } from '../util/synth.js';

const target = { service: 'api', namespace: 'shop', container: 'api' };
const canary = { ...target, podTemplateHash: '{{args.canary-hash}}' };
const queueDepth = (props: Partial<Parameters<typeof Alarm.metric>[0]> = {}) =>
  Alarm.metric({
    name: 'queue-depth',
    metric: 'queue_depth{service="{{service}}"}',
    threshold: 100,
    ...props,
  });

describe('statistics become range functions over the period', () => {
  test.each([
    [Statistic.AVERAGE, 'avg_over_time(queue_depth{service="api"}[1m])'],
    [Statistic.MINIMUM, 'min_over_time(queue_depth{service="api"}[1m])'],
    [Statistic.MAXIMUM, 'max_over_time(queue_depth{service="api"}[1m])'],
    [Statistic.SUM, 'sum_over_time(queue_depth{service="api"}[1m])'],
    [Statistic.SAMPLE_COUNT, 'count_over_time(queue_depth{service="api"}[1m])'],
    [Statistic.percentile(99), 'quantile_over_time(0.99, queue_depth{service="api"}[1m])'],
    [Statistic.VALUE, 'queue_depth{service="api"}'],
  ])('%p on a selector', (statistic, query) => {
    expect(queueDepth({ statistic }).queryFor(target)).toBe(query);
  });

  test('an expression that is not a selector gets a subquery', () => {
    const alarm = Alarm.metric({
      name: 'depth',
      metric: 'sum(queue_depth{namespace="{{namespace}}"})',
      statistic: Statistic.MAXIMUM,
      period: '5m',
      threshold: 1,
    });
    expect(alarm.queryFor(target)).toBe('max_over_time((sum(queue_depth{namespace="shop"}))[5m:])');
  });

  test('{{period}} is the period, for queries that take their own window', () => {
    const alarm = Alarm.metric({
      name: 'r',
      metric: 'sum(rate(x_total[{{period}}]))',
      period: '2m',
      threshold: 1,
    });
    expect(alarm.queryFor(target)).toBe('sum(rate(x_total[2m]))');
  });
});

describe('alarm to PrometheusRule alerts', () => {
  test('N of N: the condition with `for` of the periods after the first, and a companion "no data" alert', () => {
    const alarm = queueDepth({ statistic: Statistic.AVERAGE, evaluationPeriods: 3, severity: 'critical' });
    const [main, noData] = alarm.alertRulesFor(target, 'ApiQueueDepth');
    expect(main).toEqual({
      alert: 'ApiQueueDepth',
      expr: '(avg_over_time(queue_depth{service="api"}[1m])) > 100',
      for: '2m',
      labels: { severity: 'critical', namespace: 'shop', service: 'api', alarm: 'queue-depth' },
      annotations: {
        summary: 'shop/api: queue-depth alarm',
        description: 'Average of queue-depth > 100 for 3 of 3 periods of 1m',
      },
    });
    expect(noData).toMatchObject({
      alert: 'ApiQueueDepthNoData',
      expr: 'absent_over_time(queue_depth{service="api"}[3m])',
      labels: { severity: 'critical', alarm: 'queue-depth', alarm_state: 'no-data' },
    });
    expect(noData.for).toBeUndefined();
  });

  test('M of N: breaching periods counted exactly, one subquery step per period', () => {
    const [main] = queueDepth({ evaluationPeriods: 5, datapointsToAlarm: 3, period: '2m' }).alertRulesFor(
      target,
      'A',
    );
    expect(main.expr).toBe('sum_over_time(((queue_depth{service="api"}) > bool 100)[10m:2m]) >= 3');
    expect(main.for).toBeUndefined();
  });

  test('missing data breaching: the alert itself fires on absence, with no companion', () => {
    const rules = queueDepth({ treatMissingData: TreatMissingData.BREACHING }).alertRulesFor(target, 'A');
    expect(rules.map((r) => r.expr)).toEqual([
      '(queue_depth{service="api"}) > 100 or absent(queue_depth{service="api"})',
    ]);
    const [counted] = queueDepth({
      treatMissingData: TreatMissingData.BREACHING,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    }).alertRulesFor(target, 'A');
    expect(counted.expr).toBe(
      'sum_over_time(((queue_depth{service="api"}) > bool 100 or absent(queue_depth{service="api"}))[3m:1m]) >= 2',
    );
  });

  test('missing data not breaching: one alert; ignore keeps the state for the evaluated range', () => {
    expect(
      queueDepth({ treatMissingData: TreatMissingData.NOT_BREACHING })
        .alertRulesFor(target, 'A')
        .map((r) => r.alert),
    ).toEqual(['A']);
    const [ignore] = queueDepth({
      treatMissingData: TreatMissingData.IGNORE,
      evaluationPeriods: 2,
    }).alertRulesFor(target, 'A');
    expect(ignore).toMatchObject({ for: '1m', keep_firing_for: '2m' });
  });

  test('error rate: no 5xx series is a rate of 0; only a missing request counter is "no data"', () => {
    const rules = Alarm.errorRate({ threshold: 0.05 }).alertRulesFor(canary, 'ApiErrorRate');
    expect(rules.map((r) => r.expr)).toEqual([
      '((sum(rate(http_requests_total{namespace="shop",service="api",code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{namespace="shop",service="api"}[5m]))) > 0.05',
      'absent_over_time(http_requests_total{namespace="shop",service="api"}[1m])',
    ]);
    expect(rules[0].labels.severity).toBe('critical');
  });

  test('a query over several metrics: "no data" when any one is missing', () => {
    const alarm = Alarm.metric({ name: 'ratio', metric: 'sum(a{x="1"}) / sum(b{y=~"2"})', threshold: 1 });
    expect(alarm.alertRulesFor(target, 'R')[1].expr).toBe(
      'absent_over_time(a{x="1"}[1m]) or on() absent_over_time(b{}[1m])',
    );
  });
});

describe('alarm to analysis metric', () => {
  test('by default missing data (an empty result, or NaN from 0/0) fails the measurement', () => {
    expect(Alarm.errorRate({ threshold: 0.05 }).analysisMetricFor(canary)).toEqual({
      name: 'error-rate',
      interval: '1m',
      // A full window of the new pods' data before missing data can fail the rollout.
      initialDelay: '5m',
      count: 5,
      failureLimit: 0,
      failureCondition: 'len(result) == 0 || isNaN(result[0]) || result[0] > 0.05',
      query:
        '(sum(rate(http_requests_total{namespace="shop",rollouts_pod_template_hash=~"{{args.canary-hash}}",code=~"5.."}[5m])) or vector(0)) / sum(rate(http_requests_total{namespace="shop",rollouts_pod_template_hash=~"{{args.canary-hash}}"}[5m]))',
    });
  });

  test('M of N: M - 1 failures are tolerated; missing data MISSING is inconclusive (neither condition holds)', () => {
    const metric = queueDepth({
      evaluationPeriods: 5,
      datapointsToAlarm: 2,
      comparison: '>=',
      treatMissingData: TreatMissingData.MISSING,
    }).analysisMetricFor(target);
    expect(metric).toMatchObject({
      failureLimit: 1,
      failureCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] >= 100',
      successCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] < 100',
    });
  });

  test('notBreaching and ignore pass a measurement without data', () => {
    for (const treat of [TreatMissingData.NOT_BREACHING, TreatMissingData.IGNORE]) {
      const metric = queueDepth({ treatMissingData: treat }).analysisMetricFor(target);
      expect(metric.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] > 100');
      expect(metric.successCondition).toBeUndefined();
      expect(metric.initialDelay).toBeUndefined();
    }
  });
});

describe('validation, with exact messages', () => {
  const check = (alarm: Alarm, scrapeInterval?: string) => () =>
    alarm.validate(testChart(), target, scrapeInterval);

  test.each([
    [
      queueDepth({ evaluationPeriods: 2, datapointsToAlarm: 3 }),
      'test: alarm "queue-depth" datapointsToAlarm (3) is greater than evaluationPeriods (2). Set datapointsToAlarm to at most evaluationPeriods: it counts breaching periods among those evaluated',
    ],
    [
      queueDepth({ severity: 'page' as never }),
      'test: alarm "queue-depth" severity "page" is unknown. Use one of "critical", "warning", "info"',
    ],
    [
      queueDepth({ period: '1 minute' }),
      'test: alarm "queue-depth" period must be a duration like "30s" or "5m", got "1 minute". Use whole numbers with units from largest to smallest (y, w, d, h, m, s, ms), as Prometheus parses them: "90s", "1h30m"',
    ],
    [
      queueDepth({ period: '30m1h' }),
      'test: alarm "queue-depth" period must be a duration like "30s" or "5m", got "30m1h"',
    ],
    [
      queueDepth({ period: '0s' }),
      'test: alarm "queue-depth" period must be longer than 0. Use a period such as "1m"',
    ],
    [
      queueDepth({ evaluationPeriods: 0 }),
      'test: alarm "queue-depth" evaluationPeriods must be a whole number 1 or more, got 0. Set evaluationPeriods to 1 or more',
    ],
    [
      queueDepth({ statistic: Statistic.percentile(100) }),
      'test: alarm "queue-depth" statistic percentile must be above 0 and below 100, got 100. Use a percentile such as 99 (p99)',
    ],
    [
      queueDepth({ treatMissingData: 'zero' as never }),
      'test: alarm "queue-depth" treatMissingData "zero" is unknown. Use TreatMissingData.MISSING, BREACHING, NOT_BREACHING or IGNORE',
    ],
    [
      queueDepth({ comparison: '==' as never }),
      'test: alarm "queue-depth" comparison "==" is not one of > >= < <=. Use ">", ">=", "<" or "<="',
    ],
  ])('%#', (alarm, message) => {
    expect(check(alarm)).toThrow(message);
  });

  test('a period shorter than the scrape interval', () => {
    expect(check(queueDepth({ period: '15s' }), '30s')).toThrow(
      'test: alarm "queue-depth" period "15s" is shorter than the scrape interval "30s", so some periods hold no sample. Make the period at least "30s", or scrape more often',
    );
    expect(check(queueDepth({ period: '30s' }), '30s')).not.toThrow();
  });

  test('a PromQL syntax error names the construct, the position and the query', () => {
    const broken = Alarm.metric({ name: 'broken', metric: 'sum(rate(x_total[5m])', threshold: 1 });
    expect(check(broken)).toThrow(
      'test: alarm "broken" query is not valid PromQL: syntax error at line 1, column 22 (offset 21) of "sum(rate(x_total[5m])". Fix the expression at that position',
    );
  });
});

test('with() changes props and keeps the rest', () => {
  const alarm = Alarm.errorRate({ threshold: 0.05 }).with({ threshold: 0.01, severity: 'warning' });
  expect(alarm).toMatchObject({ name: 'error-rate', threshold: 0.01, severity: 'warning', period: '1m' });
  expect(alarm.queryFor(target)).toContain('[5m]');
});
