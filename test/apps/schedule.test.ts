import { ScheduledJob } from '../../lib/apps/scheduled-job.js';
import { scheduleProblem } from '../../lib/apps/schedule.js';
import { one, synth, testChart } from '../util/synth.js';
import { SCHEDULES } from './schedules.js';

const image = 'ghcr.io/acme/reports:1.0.0';

test.each(SCHEDULES)('%j: accepted %s, as Kubernetes decides', (schedule, accepted) => {
  expect(scheduleProblem(schedule) === undefined).toBe(accepted);
});

test('a descriptor goes to the CronJob as written; a time zone is checked against the tz database', () => {
  const chart = testChart();
  new ScheduledJob(chart, 'report', { image, schedule: '@daily', timeZone: 'Europe/Berlin' });
  expect(one(synth(chart), 'CronJob').spec).toMatchObject({ schedule: '@daily', timeZone: 'Europe/Berlin' });
  expect(
    () => new ScheduledJob(testChart(), 'report', { image, schedule: '@daily', timeZone: 'Mars/Olympus' }),
  ).toThrow(
    new Error(
      'test/report: timeZone "Mars/Olympus" is not in the tz database. Use a name such as "Europe/Berlin" or "UTC"',
    ),
  );
});

test.each([
  ['61 25 32 13 8', 'is not a valid cron expression (Constraint error, got value 61 expected range 0-59)'],
  ['0 0 * * 7', 'names day 7 of the week, which Kubernetes does not know (Sunday is 0)'],
  ['0 0 L * *', 'uses a symbol Kubernetes does not know (L, W, #, H or an unknown name)'],
  ['* * * *', 'has 4 fields, not the 5 of minute hour day-of-month month day-of-week'],
  ['TZ=UTC 0 3 * * *', 'sets a time zone, which Kubernetes refuses in a schedule'],
  [
    '@reboot',
    'is not one of the descriptors @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration>',
  ],
])('%j is refused with its reason', (schedule, problem) => {
  expect(() => new ScheduledJob(testChart(), 'report', { image, schedule })).toThrow(
    new Error(
      `test/report: schedule ${JSON.stringify(schedule)} ${problem}. Write minute hour day-of-month month day-of-week, for example "0 3 * * MON-FRI" for 03:00 on weekdays, or a descriptor such as "@daily"`,
    ),
  );
});
