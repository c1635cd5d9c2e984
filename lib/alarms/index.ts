// The alarm model that monitoring (alert rules, dashboards) and delivery (rollout analysis) both build
// on: an Alarm is a PromQL query with a statistic and a threshold, checked with Prometheus's grammar.
// It imports no other practice, so both can import it; cdk8s-devops/monitoring exports it.
export * from './alarm.js';
export * from './alarm-props.js';
export * from './metric-scope.js';
export * from './promql.js';
export * from './statistic.js';
