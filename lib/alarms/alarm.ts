import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import {
  checkPromQl,
  durationMs,
  formatPromDuration,
  isVectorSelector,
  parseDuration,
  seriesSelectors,
} from './promql.js';

export const COMPARISONS = ['>', '>=', '<', '<='] as const;
/** How the datapoint is compared with the threshold to decide that it breaches. */
export type Comparison = (typeof COMPARISONS)[number];

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
/** How urgent a firing alarm is: the `severity` label that alert routing matches on. */
export type Severity = (typeof SEVERITIES)[number];

/** CloudWatch's `TreatMissingData`: what a period without data counts as. */
export enum TreatMissingData {
  /**
   * Neither breaching nor fine: an alert rule gets a companion "no data" alert on the metric's series
   * (`absent_over_time`), and an analysis measurement is inconclusive, which pauses the rollout.
   */
  MISSING = 'missing',
  /** Missing data counts as breaching: the alert fires, the analysis fails. */
  BREACHING = 'breaching',
  /** Missing data counts as fine. */
  NOT_BREACHING = 'notBreaching',
  /** The alert keeps the state it had (`keep_firing_for` one evaluation range); an analysis passes. */
  IGNORE = 'ignore',
}

/**
 * How the datapoint of each period is made from the metric, as CloudWatch's statistics; each becomes a
 * Prometheus `*_over_time` range function over the period.
 */
export class Statistic {
  /** The query's own value at the end of each period: its range functions use `{{period}}` as window. */
  public static readonly VALUE = new Statistic('Value');
  public static readonly AVERAGE = new Statistic('Average', 'avg_over_time');
  public static readonly MINIMUM = new Statistic('Minimum', 'min_over_time');
  public static readonly MAXIMUM = new Statistic('Maximum', 'max_over_time');
  public static readonly SUM = new Statistic('Sum', 'sum_over_time');
  public static readonly SAMPLE_COUNT = new Statistic('SampleCount', 'count_over_time');

  /** The `percentile`th percentile of the samples in the period (CloudWatch's pNN). */
  public static percentile(percentile: number): Statistic {
    return new Statistic(`p${percentile}`, 'quantile_over_time', percentile);
  }

  private constructor(
    /** CloudWatch's name of the statistic: "Average", "p99". */
    public readonly name: string,
    private readonly rangeFunction?: string,
    private readonly percentile?: number,
  ) {}

  /** @internal the datapoint query: `fn(metric[period])` for a selector, a subquery otherwise. */
  public _datapoint(metric: string, period: string): string {
    if (!this.rangeFunction) {
      return metric;
    }
    const range = isVectorSelector(metric) ? `${metric}[${period}]` : `(${metric})[${period}:]`;
    const quantile = this.percentile === undefined ? '' : `${this.percentile / 100}, `;
    return `${this.rangeFunction}(${quantile}${range})`;
  }

  /** @internal */
  public _validate(scope: IConstruct, alarm: string): void {
    const p = this.percentile;
    if (p !== undefined && !(p > 0 && p < 100)) {
      invalid(
        scope,
        `alarm "${alarm}" statistic percentile must be above 0 and below 100, got ${show(p)}`,
        'Use a percentile such as 99 (p99)',
      );
    }
  }
}

/**
 * What an alarm measures during a rollout: the new version's own pods (so a bad canary is not diluted by
 * the stable pods, and a good one is not failed by the stable pods' errors), or every pod behind the
 * Service.
 */
export const ALARM_MEASURES = ['canary', 'service'] as const;
export type AlarmMeasure = (typeof ALARM_MEASURES)[number];

/** Which series an alarm measures: the labels its queries select on (service, namespace, pod template hash). */
export interface MetricScope {
  /** The Service (Prometheus `service` label) of the workload. */
  readonly service: string;
  readonly namespace: string;
  /**
   * The pod template hash of the new version's pods (Prometheus `rollouts_pod_template_hash` label,
   * matched as a regular expression), for alarms that measure the canary; in an AnalysisTemplate, an
   * argument the Rollout fills in.
   *
   * @default - the alarm measures the whole service
   */
  readonly podTemplateHash?: string;
  /**
   * The workload's main container (Prometheus `container` label, for cAdvisor and kube-state-metrics).
   *
   * @default - the service
   */
  readonly container?: string;
}

export interface AlarmProps {
  /** A short name, unique among the alarms of one workload (a DNS-1123 label): "error-rate". */
  readonly name: string;
  /**
   * The metric, as a PromQL expression. `{{selector}}` is replaced by the label matchers of what the
   * alarm measures (the canary's pods in an analysis, the whole service in an alert); `{{service}}`,
   * `{{namespace}}` and `{{container}}` by the target's; `{{period}}` by the period (for range functions
   * with the VALUE statistic).
   */
  readonly metric: string;
  /**
   * How each period's datapoint is made from the metric.
   *
   * @default Statistic.VALUE
   */
  readonly statistic?: Statistic;
  /**
   * The length of one datapoint, a Prometheus duration; also how often an analysis measures.
   *
   * @default '1m'
   */
  readonly period?: string;
  /**
   * The same as `period`: how often an analysis measures, and one step of an alert's `for`.
   *
   * @default '1m'
   */
  readonly interval?: string;
  /**
   * How many measurements an analysis that gates the rollout takes (an analysis step, or a blue/green
   * pre- or post-promotion analysis, which Argo Rollouts requires to end); a background analysis measures
   * until the rollout ends.
   *
   * @default 5
   */
  readonly measurements?: number;
  /**
   * Whether `{{selector}}` selects the new version's pods or the whole service during a rollout.
   *
   * @default 'canary'
   */
  readonly measure?: AlarmMeasure;
  /**
   * How many recent periods are evaluated.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;
  /**
   * How many of the evaluated periods must breach for the alarm to fire ("M out of N").
   *
   * @default - evaluationPeriods
   */
  readonly datapointsToAlarm?: number;
  /** The value the datapoint is compared with. */
  readonly threshold: number;
  /**
   * A datapoint breaches when `datapoint <comparison> threshold`.
   *
   * @default '>'
   */
  readonly comparison?: Comparison;
  /**
   * The alert's `severity` label, which alert routing matches on.
   *
   * @default 'warning'
   */
  readonly severity?: Severity;
  /**
   * What a period without data counts as.
   *
   * @default - TreatMissingData.BREACHING in rollout analyses ("no data" never passes a canary), and
   * TreatMissingData.MISSING in alert rules (a companion "no data" alert)
   */
  readonly treatMissingData?: TreatMissingData;
  /**
   * What the alarm means, for the alert's description.
   *
   * @default - the condition
   */
  readonly description?: string;
}

/** Kept for the strategies' shorthand: `Alarm.promql({ name, query, threshold })`. */
export interface PromQlAlarmProps extends Omit<AlarmProps, 'metric'> {
  /** The PromQL query, as `metric`. */
  readonly query: string;
}

/** What the common HTTP alarms share. */
export interface HttpAlarmProps extends Omit<
  AlarmProps,
  'name' | 'metric' | 'statistic' | 'threshold' | 'comparison'
> {
  /**
   * The window the rate is computed over.
   *
   * @default '5m'
   */
  readonly window?: string;
}

export interface ErrorRateAlarmProps extends HttpAlarmProps {
  /** The share of requests that may fail (5xx), from 0 to 1. */
  readonly threshold: number;
  /**
   * The counter of requests, with a status code label.
   *
   * @default 'http_requests_total'
   */
  readonly requestsMetric?: string;
  /**
   * The label of the requests counter that holds the HTTP status code.
   *
   * @default 'code'
   */
  readonly statusLabel?: string;
}

export interface LatencyAlarmProps extends HttpAlarmProps {
  /** The latency, in seconds, that the quantile may reach. */
  readonly thresholdSeconds: number;
  /**
   * The quantile, from 0 to 1.
   *
   * @default 0.99
   */
  readonly quantile?: number;
  /**
   * The histogram of request durations in seconds (its `_bucket` series are read).
   *
   * @default 'http_request_duration_seconds'
   */
  readonly durationHistogram?: string;
}

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
    if (target) {
      checkPromQl(scope, `${what} query`, this.queryFor(target));
    }
  }
}

/** The target without its canary: what alert rules select. */
function service(target: MetricScope): MetricScope {
  const { podTemplateHash: _canary, ...rest } = target;
  return rest;
}
