import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';

const PROMETHEUS_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export const COMPARISONS = ['>', '>=', '<', '<='] as const;
/** How the query's value is compared with the threshold to decide that the alarm fires. */
export type Comparison = (typeof COMPARISONS)[number];

/**
 * What an alarm measures during a rollout: the new version's own pods (so a bad canary is not diluted by
 * the stable pods, and a good one is not failed by the stable pods' errors), or every pod behind the
 * Service.
 */
export const ALARM_MEASURES = ['canary', 'service'] as const;
export type AlarmMeasure = (typeof ALARM_MEASURES)[number];

/** The service an alarm watches: what its queries select on. */
export interface AlarmTarget {
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
}

/** The timing every alarm shares. */
export interface AlarmTiming {
  /**
   * How long the condition must hold before an alert fires (Prometheus `for`), and how often an analysis
   * measures it.
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
}

/** What the common HTTP alarms share. */
export interface HttpAlarmProps extends AlarmTiming {
  /**
   * The window the rate is computed over.
   *
   * @default '5m'
   */
  readonly window?: string;
  /**
   * Whether the alarm measures the new version's pods only (by the pod template hash Argo Rollouts
   * labels them with, which the scrape configuration must carry as `rollouts_pod_template_hash`, as a
   * ServiceMonitor's `podTargetLabels` does), or every pod behind the Service.
   *
   * @default 'canary'
   */
  readonly measure?: AlarmMeasure;
}

export interface PromQlAlarmProps extends AlarmTiming {
  /** A short name, unique among the alarms of one workload (a DNS-1123 label). */
  readonly name: string;
  /**
   * The PromQL query. `{{selector}}` is replaced by the label matchers of what the alarm measures (the
   * canary's pods in an analysis, the whole service in an alert), `{{service}}` and `{{namespace}}` by
   * the target's.
   */
  readonly query: string;
  /** The value the query is compared with. */
  readonly threshold: number;
  /**
   * The alarm fires when `query <comparison> threshold`.
   *
   * @default '>'
   */
  readonly comparison?: Comparison;
  /**
   * Whether `{{selector}}` selects the new version's pods or the whole service during a rollout.
   *
   * @default 'canary'
   */
  readonly measure?: AlarmMeasure;
}

export interface ErrorRateAlarmProps extends HttpAlarmProps {
  /** The share of requests that may fail (5xx), from 0 to 1. */
  readonly threshold: number;
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
}

/**
 * A condition on a service's metrics, defined once and used twice: as an Argo Rollouts analysis that
 * aborts (rolls back) a rollout when it fires, CodeDeploy-style, and as a Prometheus alert.
 * It assumes the common HTTP metrics `http_requests_total{code}` and `http_request_duration_seconds`.
 */
export class Alarm {
  /** Fires when more than `threshold` of the service's requests fail with a 5xx. */
  public static errorRate(props: ErrorRateAlarmProps): Alarm {
    const w = props.window ?? '5m';
    return new Alarm(
      {
        ...props,
        name: 'error-rate',
        query:
          `sum(rate(http_requests_total{{{selector}},code=~"5.."}[${w}]))` +
          ` / sum(rate(http_requests_total{{{selector}}}[${w}]))`,
      },
      w,
    );
  }

  /** Fires when the service's latency quantile exceeds `thresholdSeconds`. */
  public static latency(props: LatencyAlarmProps): Alarm {
    const q = props.quantile ?? 0.99;
    const w = props.window ?? '5m';
    return new Alarm(
      {
        ...props,
        name: `latency-p${Math.round(q * 100)}`,
        query: `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket{{{selector}}}[${w}])))`,
        threshold: props.thresholdSeconds,
      },
      w,
    );
  }

  /** Fires when any PromQL query crosses a threshold. */
  public static promql(props: PromQlAlarmProps): Alarm {
    return new Alarm(props);
  }

  public readonly name: string;
  public readonly threshold: number;
  public readonly comparison: Comparison;
  public readonly interval: string;
  public readonly measurements: number;
  public readonly measure: AlarmMeasure;
  private readonly query: string;

  private constructor(
    props: PromQlAlarmProps,
    /** The window of a built-in query, checked like the interval. */
    private readonly window?: string,
  ) {
    this.name = props.name;
    this.query = props.query;
    this.threshold = props.threshold;
    this.comparison = props.comparison ?? '>';
    this.interval = props.interval ?? '1m';
    this.measurements = props.measurements ?? 5;
    this.measure = props.measure ?? 'canary';
  }

  /**
   * The PromQL for one target: the canary's pods when the alarm measures the canary and the target names
   * its pod template hash, else the whole service.
   */
  public queryFor(target: AlarmTarget): string {
    const matchers = [`namespace="${target.namespace}"`];
    if (this.measure === 'canary' && target.podTemplateHash !== undefined) {
      matchers.push(`rollouts_pod_template_hash=~"${target.podTemplateHash}"`);
    } else {
      matchers.push(`service="${target.service}"`);
    }
    return this.query
      .replaceAll('{{selector}}', matchers.join(','))
      .replaceAll('{{service}}', target.service)
      .replaceAll('{{namespace}}', target.namespace);
  }

  /** The Argo Rollouts condition under which a measurement fails: the alarm fires. No data never fires. */
  public get failureCondition(): string {
    return `len(result) > 0 && result[0] ${this.comparison} ${this.threshold}`;
  }

  /** The Prometheus alerting expression, over the whole service (an alert knows no canary). */
  public expressionFor(target: AlarmTarget): string {
    return `(${this.queryFor({ service: target.service, namespace: target.namespace })}) ${this.comparison} ${this.threshold}`;
  }

  /** Checks the alarm's own values, reporting against `scope`. */
  public validate(scope: IConstruct): void {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(this.name)) {
      invalid(scope, `alarm name ${show(this.name)} is not a DNS-1123 label`, 'Name it like "error-rate"');
    }
    if (!this.query.trim()) {
      invalid(
        scope,
        `alarm "${this.name}" has no query`,
        'Give it the PromQL query that measures the metric',
      );
    }
    if (!Number.isInteger(this.measurements) || this.measurements < 1) {
      invalid(
        scope,
        `alarm "${this.name}" measurements must be a whole number 1 or more, got ${show(this.measurements)}`,
        'Set how many times a gating analysis measures the alarm, such as 5',
      );
    }
    for (const [prop, value] of [
      ['interval', this.interval],
      ['window', this.window],
    ] as const) {
      if (value !== undefined && !PROMETHEUS_DURATION.test(value)) {
        invalid(
          scope,
          `alarm "${this.name}" ${prop} must be a duration like "30s" or "5m", got ${show(value)}`,
          'Use a number followed by ms, s, m or h',
        );
      }
    }
    if (!Number.isFinite(this.threshold)) {
      invalid(
        scope,
        `alarm "${this.name}" threshold must be a number, got ${show(this.threshold)}`,
        'Set a finite threshold',
      );
    }
  }
}
