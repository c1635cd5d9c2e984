/** The alerting rules of a set of alarms, shared by Monitoring (a workload's) and NamespaceMonitoring. */
import type { IConstruct } from 'constructs';
import { PrometheusRuleSpecGroupsRulesExpr } from '../../imports/monitoring.coreos.com.js';
import type { Alarm } from '../alarms/alarm.js';
import type { MetricScope } from '../alarms/metric-scope.js';
import { checkPromQl } from '../alarms/promql.js';
import { invalid, show } from '../core/errors.js';

function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

/** `defaults` with `own` after them, each of `own` replacing the default of its name; `own` names differ. */
export function replacedByName(
  scope: IConstruct,
  defaults: readonly Alarm[],
  own: readonly Alarm[],
): Alarm[] {
  const names = new Set<string>();
  for (const alarm of own) {
    if (names.has(alarm.name)) {
      invalid(scope, `two alarms are named ${show(alarm.name)}`, 'Give each alarm its own name');
    }
    names.add(alarm.name);
  }
  return [...defaults.filter((alarm) => !names.has(alarm.name)), ...own];
}

/** Every alarm's alerting rules, each expression parsed. */
export function alertRules(
  scope: IConstruct,
  workload: string,
  alarms: readonly Alarm[],
  target: MetricScope,
) {
  return alarms.flatMap((alarm) =>
    alarm
      .alertRulesFor(target, `${pascal(workload)}${pascal(alarm.name)}`)
      .map(({ keep_firing_for, expr, ...rule }) => ({
        ...rule,
        expr: PrometheusRuleSpecGroupsRulesExpr.fromString(
          checkPromQl(scope, `alert ${rule.alert} expression`, expr),
        ),
        keepFiringFor: keep_firing_for,
      })),
  );
}
