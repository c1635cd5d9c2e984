import type { Statistic } from './statistic.js';

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
 * What an alarm measures during a rollout: the new version's own pods (so a bad canary is not diluted by
 * the stable pods, and a good one is not failed by the stable pods' errors), or every pod behind the
 * Service.
 */
export const ALARM_MEASURES = ['canary', 'service'] as const;
export type AlarmMeasure = (typeof ALARM_MEASURES)[number];

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
