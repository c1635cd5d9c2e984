import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import { AnalysisTemplate, AnalysisTemplateSpecMetricsFailureLimit } from '../../imports/argoproj.io.js';
import { invalid, show } from '../core/errors.js';
import type { Alarm } from '../monitoring/alarm.js';

/** Where the analyses query Prometheus: the Prometheus Operator's default Service. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus-operated.monitoring.svc:9090';

export interface AnalysisTemplateOptions {
  /** The alarms to measure; the analysis fails, and the rollout aborts, as soon as one fires. */
  readonly alarms: readonly Alarm[];
  /** The AnalysisTemplate's name. */
  readonly name: string;
  /** The Service whose metrics the alarms select. */
  readonly service: string;
  /**
   * The Prometheus to query.
   *
   * @default DEFAULT_PROMETHEUS_ADDRESS
   */
  readonly prometheusAddress?: string;
  /** What the analysis is for, in error messages: "background analysis", "step 3". */
  readonly purpose: string;
}

/** An Argo Rollouts AnalysisTemplate with one Prometheus metric per alarm, for strategies of your own too. */
export function analysisTemplateFromAlarms(
  scope: Construct,
  id: string,
  options: AnalysisTemplateOptions,
): AnalysisTemplate {
  if (options.alarms.length === 0) {
    invalid(
      scope,
      `analysis needs a metric, but the ${options.purpose} has no alarms`,
      'Give it at least one Alarm',
    );
  }
  const names = new Set<string>();
  for (const alarm of options.alarms) {
    alarm.validate(scope);
    if (names.has(alarm.name)) {
      invalid(
        scope,
        `the ${options.purpose} has two alarms named ${show(alarm.name)}`,
        'Give each alarm its own name',
      );
    }
    names.add(alarm.name);
  }
  const namespace = Chart.of(scope).namespace ?? 'default';
  return new AnalysisTemplate(scope, id, {
    metadata: { name: options.name },
    spec: {
      metrics: options.alarms.map((alarm) => ({
        name: alarm.name,
        interval: alarm.interval,
        failureCondition: alarm.failureCondition,
        failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(0),
        provider: {
          prometheus: {
            address: options.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
            query: alarm.queryFor({ service: options.service, namespace }),
          },
        },
      })),
    },
  });
}
