import { describeRun } from '../../client/wait/readiness/rollout.js';
import type { LiveObject } from '../../client/wait/readiness/index.js';
import { Alarm } from '../../lib/alarms/alarm.js';
import { TreatMissingData } from '../../lib/alarms/alarm-props.js';

/** An AnalysisRun of one alarm's metric, whose last measurement saw `value`. */
function run(alarm: Alarm, value: string): LiveObject {
  const metric = alarm.analysisMetricFor({ service: 'api', namespace: 'shop' });
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: { name: 'api-6f9c-2-1', namespace: 'shop' },
    spec: { metrics: [{ name: metric.name, failureCondition: metric.failureCondition }] },
    status: {
      phase: 'Failed',
      metricResults: [{ name: metric.name, phase: 'Failed', measurements: [{ phase: 'Failed', value }] }],
    },
  };
}

test('watch says that a metric had no data, and shows the condition without its missing-data guard', () => {
  const errorRate = Alarm.errorRate({ threshold: 0.05 });
  expect(describeRun(run(errorRate, '[]'))).toBe(
    'AnalysisRun api-6f9c-2-1 Failed: error-rate had no data (limit: result[0] > 0.05)',
  );
  expect(describeRun(run(errorRate, '[0.5]'))).toBe(
    'AnalysisRun api-6f9c-2-1 Failed: error-rate = [0.5] (limit: result[0] > 0.05)',
  );
  const lenient = errorRate.with({ treatMissingData: TreatMissingData.NOT_BREACHING });
  expect(describeRun(run(lenient, '[0.5]'))).toBe(
    'AnalysisRun api-6f9c-2-1 Failed: error-rate = [0.5] (limit: result[0] > 0.05)',
  );
});
