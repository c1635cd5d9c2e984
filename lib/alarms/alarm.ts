import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import type {
  AlarmProps,
  Comparison,
  ErrorRateAlarmProps,
  LatencyAlarmProps,
  PromQlAlarmProps,
  Severity,
  AlarmMeasure,
} from './alarm-props.js';
import { ALARM_MEASURES, COMPARISONS, SEVERITIES, TreatMissingData } from './alarm-props.js';
import type { MetricScope } from './metric-scope.js';
import { checkPromQl, durationMs, formatPromDuration, parseDuration, seriesSelectors } from './promql.js';
import { Statistic } from './statistic.js';

/** One Prometheus alerting rule, as the PrometheusRule CRD and promtool take it. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly keep_firing_for?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** One Argo Rollouts analysis metric (AnalysisTemplate `spec.metrics[]`), before the provider. */
export interface AnalysisMetric {
  readonly name: string;
  readonly interval: string;
  readonly query: string;
  readonly failureCondition: string;
  readonly successCondition?: string;
  /** Failed measurements tolerated: datapointsToAlarm - 1. */
  readonly failureLimit: number;
  /** How many measurements an analysis that gates a step takes. */
  readonly count: number;
  /**
   * When missing data breaches, how long the first measurement waits: a full window of the new pods'
   * data (and at least two periods, as a rate needs two samples), since service discovery and scrapes
   * take their time; a verdict on seconds of traffic would be noise anyway.
   */
  readonly initialDelay?: string;
}

const NEGATED: Record<Comparison, Comparison> = { '>': '<=', '>=': '<', '<': '>=', '<=': '>' };
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A condition on a workload's metrics in CloudWatch's terms (metric, statistic, period, evaluation
 * periods, datapoints to alarm, threshold, missing data), defined once and used twice: as Prometheus
 * alerting rules, and as an Argo Rollouts analysis that aborts (rolls back) a rollout when it fires.
 */
export class Alarm {
  /**
   * Fires when more than `threshold` of the service's requests fail with a 5xx. With no 5xx series the
   * rate is 0, not missing; only a missing requests counter is missing data.
   */
  public static errorRate(props: ErrorRateAlarmProps): Alarm {
    const { requestsMetric, statusLabel, window, ...rest } = props;
    const requests = requestsMetric ?? 'http_requests_total';
    const w = window ?? '5m';
    return new Alarm(
      {
        severity: 'critical',
        description: `More than ${props.threshold * 100}% of the requests failed with a 5xx`,
        ...rest,
        name: 'error-rate',
        metric:
          `(sum(rate(${requests}{{{selector}},${statusLabel ?? 'code'}=~"5.."}[${w}])) or vector(0))` +
          ` / sum(rate(${requests}{{{selector}}}[${w}]))`,
      },
      w,
    );
  }

  /** Fires when the service's latency quantile exceeds `thresholdSeconds`. */
  public static latency(props: LatencyAlarmProps): Alarm {
    const { quantile, durationHistogram, window, thresholdSeconds, ...rest } = props;
    const q = quantile ?? 0.99;
    const w = window ?? '5m';
    return new Alarm(
      {
        description: `The p${Math.round(q * 100)} latency is above ${thresholdSeconds}s`,
        ...rest,
        name: `latency-p${Math.round(q * 100)}`,
        metric:
          `histogram_quantile(${q}, sum by (le) (rate(${durationHistogram ?? 'http_request_duration_seconds'}_bucket` +
          `{{{selector}}}[${w}])))`,
        threshold: thresholdSeconds,
      },
      w,
    );
  }

  /** Fires when any PromQL query crosses a threshold. */
  public static promql(props: PromQlAlarmProps): Alarm {
    const { query, ...rest } = props;
    return new Alarm({ ...rest, metric: query });
  }

  /** An alarm in CloudWatch's terms. */
  public static metric(props: AlarmProps): Alarm {
    return new Alarm(props);
  }

  public readonly name: string;
  public readonly threshold: number;
  public readonly comparison: Comparison;
  public readonly statistic: Statistic;
  public readonly period: string;
  public readonly evaluationPeriods: number;
  public readonly datapointsToAlarm: number;
  public readonly severity: Severity;
  public readonly treatMissingData?: TreatMissingData;
  public readonly description?: string;
  public readonly measurements: number;
  public readonly measure: AlarmMeasure;
  private readonly metric: string;

  private constructor(
    private readonly props: AlarmProps,
    /** The window of a built-in query, checked like the period. */
    private readonly window?: string,
  ) {
    this.name = props.name;
    this.metric = props.metric;
    this.threshold = props.threshold;
    this.comparison = props.comparison ?? '>';
    this.statistic = props.statistic ?? Statistic.VALUE;
    this.period = props.period ?? props.interval ?? '1m';
    this.measurements = props.measurements ?? 5;
    this.measure = props.measure ?? 'canary';
    this.evaluationPeriods = props.evaluationPeriods ?? 1;
    this.datapointsToAlarm = props.datapointsToAlarm ?? this.evaluationPeriods;
    this.severity = props.severity ?? 'warning';
    this.treatMissingData = props.treatMissingData;
    this.description = props.description;
  }

  /** The interval at which an analysis measures: the period. */
  public get interval(): string {
    return this.period;
  }

  /** A copy with some props changed: `Alarm.errorRate(...).with({ severity: 'warning' })`. */
  public with(changes: Partial<AlarmProps>): Alarm {
    return new Alarm({ ...this.props, ...changes }, this.window);
  }

  /**
   * The datapoint query for one target: the metric, its statistic applied over one period. It selects
   * the canary's pods when the alarm measures the canary and the target names their pod template hash,
   * else the whole service.
   */
  public queryFor(target: MetricScope): string {
    const matchers = [`namespace="${target.namespace}"`];
    if (this.measure === 'canary' && target.podTemplateHash !== undefined) {
      matchers.push(`rollouts_pod_template_hash=~"${target.podTemplateHash}"`);
    } else {
      matchers.push(`service="${target.service}"`);
    }
    const metric = this.metric
      .replaceAll('{{selector}}', matchers.join(','))
      .replaceAll('{{service}}', target.service)
      .replaceAll('{{namespace}}', target.namespace)
      .replaceAll('{{container}}', target.container ?? target.service)
      .replaceAll('{{period}}', this.period);
    return this.statistic._datapoint(metric, this.period);
  }

  /** The breach condition, over the whole service (an alert knows no canary). */
  public expressionFor(target: MetricScope): string {
    return `(${this.queryFor(service(target))}) ${this.comparison} ${this.threshold}`;
  }

  /**
   * The Prometheus alerting rules: the alarm itself, and with TreatMissingData.MISSING (the default) a
   * companion "no data" alert that fires when none of the metric's series has a sample in the evaluated
   * periods. M of N is counted exactly with a subquery stepping one period; N of N is `for`.
   */
  public alertRulesFor(target: MetricScope, alertName: string): AlertRule[] {
    const treat = this.treatMissingData ?? TreatMissingData.MISSING;
    const datapoint = this.queryFor(service(target));
    // validate() has parsed the period before any rule is made.
    const periodMs = durationMs(this.period)!;
    const window = formatPromDuration(periodMs * this.evaluationPeriods);
    const breachingIfAbsent = treat === TreatMissingData.BREACHING ? ` or absent(${datapoint})` : '';
    let expr: string;
    let holdFor: string | undefined;
    if (this.datapointsToAlarm === this.evaluationPeriods) {
      expr = `(${datapoint}) ${this.comparison} ${this.threshold}${breachingIfAbsent}`;
      holdFor =
        this.evaluationPeriods > 1 ? formatPromDuration(periodMs * (this.evaluationPeriods - 1)) : undefined;
    } else {
      const breaches = `((${datapoint}) ${this.comparison} bool ${this.threshold}${breachingIfAbsent})`;
      expr = `sum_over_time(${breaches}[${window}:${this.period}]) >= ${this.datapointsToAlarm}`;
    }
    const labels = { severity: this.severity, namespace: target.namespace, service: target.service };
    const condition = `${this.statistic.name} of ${this.name} ${this.comparison} ${this.threshold} for ${this.datapointsToAlarm} of ${this.evaluationPeriods} periods of ${this.period}`;
    const rules: AlertRule[] = [
      {
        alert: alertName,
        expr,
        ...(holdFor ? { for: holdFor } : {}),
        ...(treat === TreatMissingData.IGNORE ? { keep_firing_for: window } : {}),
        labels: { ...labels, alarm: this.name },
        annotations: {
          summary: `${target.namespace}/${target.service}: ${this.name} alarm`,
          // Stable text, without `{{ $value }}`, so that `promtool test rules` can state it exactly.
          description: this.description ? `${this.description}: ${condition}` : condition,
        },
      },
    ];
    if (treat === TreatMissingData.MISSING) {
      rules.push({
        alert: `${alertName}NoData`,
        expr: seriesSelectors(datapoint)
          .map((selector) => `absent_over_time(${selector}[${window}])`)
          .join(' or on() '),
        labels: { ...labels, alarm: this.name, alarm_state: 'no-data' },
        annotations: {
          summary: `${target.namespace}/${target.service}: no data for the ${this.name} alarm`,
          description: `None of the series that the ${this.name} alarm reads had a sample in the last ${window}: the app does not export them, or nothing scrapes it.`,
        },
      });
    }
    return rules;
  }

  /**
   * The Argo Rollouts analysis metric. Missing data (an empty result, or NaN from 0/0) breaches unless
   * the alarm says otherwise; with MISSING it is inconclusive, which pauses the rollout for a person.
   */
  public analysisMetricFor(target: MetricScope): AnalysisMetric {
    const treat = this.treatMissingData ?? TreatMissingData.BREACHING;
    const noData = 'len(result) == 0 || isNaN(result[0])';
    const hasData = 'len(result) > 0 && !isNaN(result[0])';
    const breaches = `result[0] ${this.comparison} ${this.threshold}`;
    const common = {
      name: this.name,
      interval: this.period,
      query: this.queryFor(target),
      failureLimit: this.datapointsToAlarm - 1,
      count: this.measurements,
    };
    switch (treat) {
      case TreatMissingData.BREACHING:
        return {
          ...common,
          failureCondition: `${noData} || ${breaches}`,
          // validate() has parsed the period and window.
          initialDelay: formatPromDuration(
            Math.max(2 * durationMs(this.period)!, durationMs(this.window ?? this.period)!),
          ),
        };
      case TreatMissingData.MISSING:
        return {
          ...common,
          failureCondition: `${hasData} && ${breaches}`,
          successCondition: `${hasData} && result[0] ${NEGATED[this.comparison]} ${this.threshold}`,
        };
      default:
        return { ...common, failureCondition: `${hasData} && ${breaches}` };
    }
  }

  /**
   * Checks the alarm's values, reporting against `scope`; with `target`, also parses its queries.
   * `scrapeInterval` is the interval its metric is scraped at, which a period may not undercut.
   */
  public validate(scope: IConstruct, target?: MetricScope, scrapeInterval?: string): void {
    const what = `alarm ${show(this.name)}`;
    this.validateValues(scope, what);
    this.validateTiming(scope, what, scrapeInterval);
    if (target) {
      checkPromQl(scope, `${what} query`, this.queryFor(target));
    }
  }

  /** The name, query, threshold and the enumerated props. */
  private validateValues(scope: IConstruct, what: string): void {
    if (!DNS_LABEL.test(this.name)) {
      invalid(scope, `alarm name ${show(this.name)} is not a DNS-1123 label`, 'Name it like "error-rate"');
    }
    if (!this.metric.trim()) {
      invalid(scope, `${what} has no query`, 'Give it the PromQL query that measures the metric');
    }
    if (!Number.isFinite(this.threshold)) {
      invalid(
        scope,
        `${what} threshold must be a number, got ${show(this.threshold)}`,
        'Set a finite threshold',
      );
    }
    if (!(COMPARISONS as readonly string[]).includes(this.comparison)) {
      invalid(
        scope,
        `${what} comparison ${show(this.comparison)} is not one of ${COMPARISONS.join(' ')}`,
        'Use ">", ">=", "<" or "<="',
      );
    }
    if (!(SEVERITIES as readonly string[]).includes(this.severity)) {
      invalid(
        scope,
        `${what} severity ${show(this.severity)} is unknown`,
        `Use one of ${SEVERITIES.map((s) => show(s)).join(', ')}`,
      );
    }
    if (
      this.treatMissingData !== undefined &&
      !Object.values(TreatMissingData).includes(this.treatMissingData)
    ) {
      invalid(
        scope,
        `${what} treatMissingData ${show(this.treatMissingData)} is unknown`,
        'Use TreatMissingData.MISSING, BREACHING, NOT_BREACHING or IGNORE',
      );
    }
    this.statistic._validate(scope, this.name);
  }

  /** The period and window, the measurement counts, and the period against the scrape interval. */
  private validateTiming(scope: IConstruct, what: string, scrapeInterval?: string): void {
    const period = parseDuration(
      scope,
      `${what} ${this.props.period === undefined && this.props.interval !== undefined ? 'interval' : 'period'}`,
      this.period,
    );
    if (this.window !== undefined) {
      parseDuration(scope, `${what} window`, this.window);
    }
    if (!(ALARM_MEASURES as readonly string[]).includes(this.measure)) {
      invalid(scope, `${what} measure ${show(this.measure)} is unknown`, 'Use "canary" or "service"');
    }
    if (period === 0) {
      invalid(scope, `${what} period must be longer than 0`, 'Use a period such as "1m"');
    }
    for (const [prop, value] of [
      ['measurements', this.measurements],
      ['evaluationPeriods', this.evaluationPeriods],
      ['datapointsToAlarm', this.datapointsToAlarm],
    ] as const) {
      if (!Number.isInteger(value) || value < 1) {
        invalid(
          scope,
          `${what} ${prop} must be a whole number 1 or more, got ${show(value)}`,
          `Set ${prop} to 1 or more`,
        );
      }
    }
    if (this.datapointsToAlarm > this.evaluationPeriods) {
      invalid(
        scope,
        `${what} datapointsToAlarm (${this.datapointsToAlarm}) is greater than evaluationPeriods (${this.evaluationPeriods})`,
        'Set datapointsToAlarm to at most evaluationPeriods: it counts breaching periods among those evaluated',
      );
    }
    if (scrapeInterval !== undefined && period < parseDuration(scope, 'scrape interval', scrapeInterval)) {
      invalid(
        scope,
        `${what} period ${show(this.period)} is shorter than the scrape interval ${show(scrapeInterval)}, so some periods hold no sample`,
        `Make the period at least ${show(scrapeInterval)}, or scrape more often`,
      );
    }
  }
}

/** The target without its canary: what alert rules select. */
function service(target: MetricScope): MetricScope {
  const { podTemplateHash: _canary, ...rest } = target;
  return rest;
}
