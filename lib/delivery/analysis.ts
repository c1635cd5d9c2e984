import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
} from '../../imports/argoproj.io.js';
import { invalid, show } from '../core/errors.js';
import type { Alarm } from '../alarms/alarm.js';

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
  /**
   * Whether the analysis gates a step or a blue/green promotion, which Argo Rollouts requires to end:
   * each metric then takes its alarm's number of measurements. A background analysis measures until
   * the rollout ends, and only a canary's background analysis may.
   *
   * @default false
   */
  readonly gate?: boolean;
}

/**
 * The argument through which a Rollout tells its analyses the pod template hash of the new version's
 * pods (`podTemplateHashValue: Latest`), which canary alarms select on.
 */
export const CANARY_HASH_ARG = 'canary-hash';

/** How a Rollout refers to an AnalysisTemplate of `analysisTemplateFromAlarms`, passing the canary's hash. */
export interface AnalysisReference {
  readonly templates: { readonly templateName: string }[];
  readonly args: { readonly name: string; readonly valueFrom: { readonly podTemplateHashValue: string } }[];
}

export function analysisReference(template: AnalysisTemplate): AnalysisReference {
  return {
    templates: [{ templateName: template.name }],
    args: [{ name: CANARY_HASH_ARG, valueFrom: { podTemplateHashValue: 'Latest' } }],
  };
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
  const namespace = Chart.of(scope).namespace ?? 'default';
  const target = { service: options.service, namespace, podTemplateHash: `{{args.${CANARY_HASH_ARG}}}` };
  const names = new Set<string>();
  for (const alarm of options.alarms) {
    alarm.validate(scope, target);
    if (names.has(alarm.name)) {
      invalid(
        scope,
        `the ${options.purpose} has two alarms named ${show(alarm.name)}`,
        'Give each alarm its own name',
      );
    }
    names.add(alarm.name);
  }
  return new AnalysisTemplate(scope, id, {
    metadata: { name: options.name },
    spec: {
      // Without the argument (a reference of a user's own), the regex matches every version's pods.
      args: [{ name: CANARY_HASH_ARG, value: '.+' }],
      metrics: options.alarms.map((alarm) => {
        const metric = alarm.analysisMetricFor(target);
        return {
          name: metric.name,
          interval: metric.interval,
          initialDelay: metric.initialDelay,
          count: options.gate ? AnalysisTemplateSpecMetricsCount.fromNumber(metric.count) : undefined,
          failureCondition: metric.failureCondition,
          successCondition: metric.successCondition,
          failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(metric.failureLimit),
          provider: {
            prometheus: {
              address: options.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS,
              query: metric.query,
            },
          },
        };
      }),
    },
  });
}
