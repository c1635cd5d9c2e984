import { Cron } from 'cdk8s';
import type { Construct } from 'constructs';
import { checkRange } from '../core/names.js';
import * as plus from '../core/plus.js';
import type { WorkloadProps } from './workload.js';
import { Workload } from './workload.js';
import { checkSchedule, checkTimeZone } from './schedule.js';

export interface ScheduledJobProps extends WorkloadProps {
  /**
   * When to run, as Kubernetes takes it: five fields (minute hour day-of-month month day-of-week, with
   * names, ranges, lists and steps), or a descriptor such as `@daily` or `@every 1h30m`.
   */
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
      create: (self, pod) =>
        new plus.CronJob(self, 'Resource', {
          ...pod,
          schedule: kubernetesSchedule(self, props.schedule),
          timeZone: props.timeZone === undefined ? undefined : checkTimeZone(self, props.timeZone),
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

/** A cdk8s Cron of any schedule Kubernetes takes, descriptors included, which `Cron.schedule` cannot say. */
function kubernetesSchedule(scope: Construct, schedule: string): Cron {
  return Object.assign(new Cron(), { expressionString: checkSchedule(scope, schedule).trim() });
}
