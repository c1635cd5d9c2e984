import { Alarm } from '../alarms/alarm.js';
import type { AlarmProps } from '../alarms/alarm-props.js';
import { Statistic } from '../alarms/statistic.js';

/** The metric names the golden-signal alarms read; each app may name its own. */
export interface GoldenSignalMetrics {
  /**
   * The counter of HTTP requests served, with a status code label.
   *
   * @default 'http_requests_total'
   */
  readonly requestsTotal?: string;
  /**
   * The label of `requestsTotal` holding the HTTP status code.
   *
   * @default 'code'
   */
  readonly statusLabel?: string;
  /**
   * The histogram of request durations in seconds (its `_bucket` series are read).
   *
   * @default 'http_request_duration_seconds'
   */
  readonly requestDuration?: string;
  /**
   * cAdvisor's counter of CPU seconds used by a container.
   *
   * @default 'container_cpu_usage_seconds_total'
   */
  readonly cpuUsage?: string;
  /**
   * kube-state-metrics' gauge of a container's resource limits (with a `resource` label).
   *
   * @default 'kube_pod_container_resource_limits'
   */
  readonly resourceLimits?: string;
  /**
   * kube-state-metrics' counter of container restarts.
   *
   * @default 'kube_pod_container_status_restarts_total'
   */
  readonly restarts?: string;
}

/** One golden-signal alarm: changed props, or false to leave it out. */
export type GoldenSignalOverride = Partial<Omit<AlarmProps, 'name' | 'metric'>> | false;

export interface GoldenSignalOptions {
  /** @default - more than 5% of requests fail with a 5xx, critical */
  readonly errorRate?: GoldenSignalOverride;
  /** @default - p99 latency above 1 second for 3 periods of 1 minute, warning */
  readonly latency?: GoldenSignalOverride;
  /** @default - the busiest pod uses more than 90% of its CPU limit in 3 of 5 periods of 1 minute, warning */
  readonly saturation?: GoldenSignalOverride;
  /** @default - a container restarted in the last 5 minutes, warning */
  readonly restarts?: GoldenSignalOverride;
}

/**
 * The golden-signal alarms of a workload (errors, latency, saturation, and restarts for crash loops),
 * on the metric names given; the HTTP ones only for a workload that serves HTTP.
 */
export function goldenSignalAlarms(
  metrics: GoldenSignalMetrics = {},
  options: GoldenSignalOptions = {},
  servesHttp = true,
): Alarm[] {
  const pod = 'namespace="{{namespace}}",container="{{container}}"';
  const defaults: Record<keyof GoldenSignalOptions, Alarm | undefined> = {
    errorRate: servesHttp
      ? Alarm.errorRate({
          threshold: 0.05,
          requestsMetric: metrics.requestsTotal,
          statusLabel: metrics.statusLabel,
        })
      : undefined,
    latency: servesHttp
      ? Alarm.latency({
          thresholdSeconds: 1,
          evaluationPeriods: 3,
          durationHistogram: metrics.requestDuration,
        })
      : undefined,
    saturation: Alarm.metric({
      name: 'cpu-saturation',
      metric:
        `max(sum by (pod) (rate(${metrics.cpuUsage ?? 'container_cpu_usage_seconds_total'}{${pod}}[{{period}}]))` +
        ` / sum by (pod) (${metrics.resourceLimits ?? 'kube_pod_container_resource_limits'}{${pod},resource="cpu"}))`,
      threshold: 0.9,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      description: 'The busiest pod uses more than 90% of its CPU limit, and is throttled',
    }),
    restarts: Alarm.metric({
      name: 'restarts',
      metric: `sum(increase(${metrics.restarts ?? 'kube_pod_container_status_restarts_total'}{${pod}}[{{period}}]))`,
      statistic: Statistic.VALUE,
      period: '5m',
      threshold: 0,
      description: 'A container restarted: a crash or a failed liveness check',
    }),
  };
  return (Object.keys(defaults) as (keyof GoldenSignalOptions)[]).flatMap((key) => {
    const alarm = defaults[key];
    const override = options[key];
    if (!alarm || override === false) {
      return [];
    }
    return [override ? alarm.with(override) : alarm];
  });
}
