import { ScheduledJob } from '../../lib/apps/scheduled-job.js';
import { one, podSpec, synth, testChart } from '../util/synth.js';

const image = 'ghcr.io/acme/reports:3.1.0';

test('a ScheduledJob is a non-overlapping CronJob under the same secure pod defaults', () => {
  const chart = testChart();
  new ScheduledJob(chart, 'report', {
    image,
    schedule: '0 3 * * *',
    timeZone: 'Europe/Berlin',
    args: ['--since', '24h'],
  });
  const objects = synth(chart);
  const cronJob = one(objects, 'CronJob', 'report');
  expect(cronJob.spec).toMatchObject({
    schedule: '0 3 * * *',
    timeZone: 'Europe/Berlin',
    concurrencyPolicy: 'Forbid',
  });
  expect(cronJob.spec.jobTemplate.spec.backoffLimit).toBe(2);
  const pod = podSpec(cronJob);
  expect(pod.serviceAccountName).toBe(one(objects, 'ServiceAccount').metadata.name);
  expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  expect(pod.containers[0].securityContext.capabilities).toEqual({ drop: ['ALL'] });
  expect(pod.containers[0].args).toEqual(['--since', '24h']);
  expect(pod.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
});

test('a schedule that is not five cron fields is refused', () => {
  expect(() => new ScheduledJob(testChart(), 'report', { image, schedule: 'every night' })).toThrow(
    new Error(
      'test/report: schedule "every night" has 2 fields, not the 5 of minute hour day-of-month month day-of-week. Write minute hour day-of-month month day-of-week, for example "0 3 * * MON-FRI" for 03:00 on weekdays, or a descriptor such as "@daily"',
    ),
  );
});
