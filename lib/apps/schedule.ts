/**
 * CronJob schedules as Kubernetes takes them. The API server parses a schedule with robfig/cron's
 * standard parser: five fields (minute hour day-of-month month day-of-week, with names such as MON or
 * JAN, ranges, lists and steps), or a descriptor (@daily, @every 1h30m, ...); it refuses a time zone in
 * the schedule. cron-parser does the parsing and the range checks here; the few lines below refuse what
 * cron-parser knows and Kubernetes does not (seconds, L, W, #, H, day 7). A table of schedules with
 * their verdicts (test/apps/schedules.ts) is checked against the API server's own.
 */
import { CronExpressionParser } from 'cron-parser';
import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
/** A Go duration, as `@every` takes it: "90s", "1h30m", "1.5h". */
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
const NAMES = /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/gi;

/** What Kubernetes would refuse in `schedule`, or undefined when it takes it. */
export function scheduleProblem(schedule: string): string | undefined {
  const text = schedule.trim();
  if (/^(CRON_)?TZ=/.test(text)) {
    return 'sets a time zone, which Kubernetes refuses in a schedule';
  }
  if (text.startsWith('@')) {
    const every = /^@every\s+(\S+)$/.exec(text);
    if (every) {
      return GO_DURATION.test(every[1])
        ? undefined
        : `has an @every duration ${show(every[1])} that is not like 90s or 1h30m`;
    }
    return DESCRIPTORS.includes(text)
      ? undefined
      : `is not one of the descriptors ${DESCRIPTORS.join(', ')}, @every <duration>`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return `has ${fields.length} field${fields.length === 1 ? '' : 's'}, not the 5 of minute hour day-of-month month day-of-week`;
  }
  if (/[a-z#]/i.test(text.replace(NAMES, ''))) {
    return 'uses a symbol Kubernetes does not know (L, W, #, H or an unknown name)';
  }
  if (/(^|[^\d])7($|[^\d])/.test(fields[4].replace(NAMES, ''))) {
    return 'names day 7 of the week, which Kubernetes does not know (Sunday is 0)';
  }
  try {
    CronExpressionParser.parse(text);
    return undefined;
  } catch (error) {
    return `is not a valid cron expression (${(error as Error).message})`;
  }
}

/** Checks `schedule`, reporting against `scope`; returns it unchanged. */
export function checkSchedule(scope: IConstruct, schedule: string): string {
  const problem = scheduleProblem(schedule);
  if (problem) {
    invalid(
      scope,
      `schedule ${show(schedule)} ${problem}`,
      'Write minute hour day-of-month month day-of-week, for example "0 3 * * MON-FRI" for 03:00 on weekdays, or a descriptor such as "@daily"',
    );
  }
  return schedule;
}

/** Checks a tz database name, as the API server does for a CronJob's timeZone. */
export function checkTimeZone(scope: IConstruct, timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    invalid(
      scope,
      `timeZone ${show(timeZone)} is not in the tz database`,
      'Use a name such as "Europe/Berlin" or "UTC"',
    );
  }
  return timeZone;
}
