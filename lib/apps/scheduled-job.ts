import { Cron } from 'cdk8s';
import type { Construct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';

export interface ScheduledJobProps extends WorkloadProps {
  /** When to run, as a five-field cron expression: minute hour day-of-month month day-of-week. */
  readonly schedule: string;
  /**
   * The time zone of the schedule, from the tz database.
   *
   * @default - the controller's time zone (UTC on managed clusters)
   */
  readonly timeZone?: string;
  /**
   * How many times a failed run is retried.
   *
   * @default 2
   */
  readonly backoffLimit?: number;
}

/**
 * A job on a schedule (a CronJob). A run never overlaps the previous one (concurrencyPolicy Forbid), so a
 * slow run delays the next instead of doubling the load.
 */
export class ScheduledJob extends Workload {
  public readonly cronJob: plus.CronJob;

  public constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id, props, {
      podSpecPath: '/spec/jobTemplate/spec/template/spec',
      create: (self, pod) =>
        new plus.CronJob(self, 'Resource', {
          ...pod,
          schedule: parseSchedule(self, props.schedule),
          timeZone: props.timeZone,
          concurrencyPolicy: plus.ConcurrencyPolicy.FORBID,
          backoffLimit: checkRange(
            self,
            'backoffLimit',
            props.backoffLimit ?? 2,
            0,
            100,
            'Use 0 to 100 retries',
          ),
        }),
    });
    this.cronJob = this.resource as plus.CronJob;
  }
}

function parseSchedule(scope: Construct, schedule: string): Cron {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5 || fields.some((f) => !/^[\d*/,-]+$/.test(f))) {
    invalid(
      scope,
      `schedule ${show(schedule)} is not a five-field cron expression`,
      'Write minute hour day-of-month month day-of-week, for example "0 3 * * *" for 03:00 every day',
    );
  }
  const [minute, hour, day, month, weekDay] = fields;
  return Cron.schedule({ minute, hour, day, month, weekDay });
}
