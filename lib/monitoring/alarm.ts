import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';

export const COMPARISONS = ['>', '>=', '<', '<='] as const;
/** How the query's value is compared with the threshold to decide that the alarm fires. */
export type Comparison = (typeof COMPARISONS)[number];

/** The service an alarm watches: what its queries select on. */
export interface AlarmTarget {
  /** The Service (Prometheus `service` label) of the workload. */
  readonly service: string;
  readonly namespace: string;
}

export interface PromQlAlarmProps {
  /** A short name, unique among the alarms of one workload (a DNS-1123 label). */
  readonly name: string;
  /** The PromQL query; `{{service}}` and `{{namespace}}` are replaced by the target's. */
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
   * How long the condition must hold before an alert fires (Prometheus `for`), and how often an analysis
   * measures it.
   *
   * @default '1m'
   */
  readonly interval?: string;
}

export interface ErrorRateAlarmProps {
  /** The share of requests that may fail (5xx), from 0 to 1. */
  readonly threshold: number;
  /**
   * The window the rate is computed over.
   *
   * @default '5m'
   */
  readonly window?: string;
}

export interface LatencyAlarmProps {
  /** The latency, in seconds, that the quantile may reach. */
  readonly thresholdSeconds: number;
  /**
   * The quantile, from 0 to 1.
   *
   * @default 0.99
   */
  readonly quantile?: number;
  /**
   * The window the quantile is computed over.
   *
   * @default '5m'
   */
  readonly window?: string;
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
    return new Alarm({
      name: 'error-rate',
      query:
        `sum(rate(http_requests_total{namespace="{{namespace}}",service="{{service}}",code=~"5.."}[${w}]))` +
        ` / sum(rate(http_requests_total{namespace="{{namespace}}",service="{{service}}"}[${w}]))`,
      threshold: props.threshold,
    });
  }

  /** Fires when the service's latency quantile exceeds `thresholdSeconds`. */
  public static latency(props: LatencyAlarmProps): Alarm {
    const q = props.quantile ?? 0.99;
    return new Alarm({
      name: `latency-p${Math.round(q * 100)}`,
      query:
        `histogram_quantile(${q}, sum by (le) (rate(http_request_duration_seconds_bucket` +
        `{namespace="{{namespace}}",service="{{service}}"}[${props.window ?? '5m'}])))`,
      threshold: props.thresholdSeconds,
    });
  }

  /** Fires when any PromQL query crosses a threshold. */
  public static promql(props: PromQlAlarmProps): Alarm {
    return new Alarm(props);
  }

  public readonly name: string;
  public readonly threshold: number;
  public readonly comparison: Comparison;
  public readonly interval: string;
  private readonly query: string;

  private constructor(props: PromQlAlarmProps) {
    this.name = props.name;
    this.query = props.query;
    this.threshold = props.threshold;
    this.comparison = props.comparison ?? '>';
    this.interval = props.interval ?? '1m';
  }

  /** The PromQL for one service. */
  public queryFor(target: AlarmTarget): string {
    return this.query.replaceAll('{{service}}', target.service).replaceAll('{{namespace}}', target.namespace);
  }

  /** The Argo Rollouts condition under which a measurement fails: the alarm fires. No data never fires. */
  public get failureCondition(): string {
    return `len(result) > 0 && result[0] ${this.comparison} ${this.threshold}`;
  }

  /** The Prometheus alerting expression. */
  public expressionFor(target: AlarmTarget): string {
    return `(${this.queryFor(target)}) ${this.comparison} ${this.threshold}`;
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
    if (!Number.isFinite(this.threshold)) {
      invalid(
        scope,
        `alarm "${this.name}" threshold must be a number, got ${show(this.threshold)}`,
        'Set a finite threshold',
      );
    }
  }
}
