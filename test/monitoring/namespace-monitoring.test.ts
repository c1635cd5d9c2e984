import { Chart } from 'cdk8s';
import { Alarm, NamespaceMonitoring } from '../../lib/monitoring/index.js';
import { one, synth, testApp, testChart } from '../util/synth.js';

test('NamespaceMonitoring: an alarm of the same name replaces a default one; more alarms are added', () => {
  const chart = testChart();
  const monitoring = new NamespaceMonitoring(chart, 'namespace', {
    alarms: [
      Alarm.metric({
        name: 'quota',
        metric: 'max(kube_resourcequota{namespace="{{namespace}}"})',
        threshold: 0.8,
      }),
      Alarm.metric({
        name: 'evictions',
        metric: 'sum(kube_pod_status_reason{namespace="{{namespace}}",reason="Evicted"})',
        threshold: 0,
        severity: 'critical',
      }),
    ],
    dashboard: false,
    selectorLabels: { release: 'kube-prometheus' },
  });
  expect(monitoring.alarms.map((a) => `${a.name} ${a.threshold}`)).toEqual([
    'crash-looping 3',
    'pods-pending 0',
    'quota 0.8',
    'evictions 0',
  ]);
  const objects = synth(chart);
  const rule = one(objects, 'PrometheusRule', 'namespace-alarms');
  expect(rule.metadata.labels).toEqual({ release: 'kube-prometheus' });
  expect(rule.spec.groups[0].rules.find((r: { alert: string }) => r.alert === 'NamespaceEvictions')).toEqual({
    alert: 'NamespaceEvictions',
    expr: '(sum(kube_pod_status_reason{namespace="test",reason="Evicted"})) > 0',
    labels: { severity: 'critical', namespace: 'test', service: 'namespace', alarm: 'evictions' },
    annotations: {
      summary: 'test/namespace: evictions alarm',
      description: 'Value of evictions > 0 for 1 of 1 periods of 1m',
    },
  });
  expect(objects.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
});

test('NamespaceMonitoring: checks its alarms and needs a namespace', () => {
  const twice = Alarm.metric({ name: 'x', metric: 'up', threshold: 0 });
  expect(() => new NamespaceMonitoring(testChart(), 'namespace', { alarms: [twice, twice] })).toThrow(
    'test/namespace: two alarms are named "x". Give each alarm its own name',
  );
  expect(
    () =>
      new NamespaceMonitoring(testChart(), 'namespace', {
        alarms: [Alarm.metric({ name: 'broken', metric: 'sum(up', threshold: 0 })],
      }),
  ).toThrow('test/namespace: alarm "broken" query is not valid PromQL');
  expect(() => new NamespaceMonitoring(new Chart(testApp(), 'none'), 'namespace')).toThrow(
    'none/namespace: NamespaceMonitoring needs its chart to have a namespace. Give the chart a namespace',
  );
});
