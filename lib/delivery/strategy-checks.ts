/**
 * The checks of a strategy's options. The factories have no construct to report against, so the checks
 * run when the strategy is bound to a workload, and name it.
 */
import type { Duration } from 'cdk8s';
import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import * as plus from '../core/plus.js';
import type { PodCount } from './strategy-options.js';

/** A deferred check of a percent prop: factories have no construct to report against, binding has. */
export type PercentCheck = (scope: IConstruct) => void;

export function checkPercent(strategy: string, percent: number): PercentCheck {
  return (scope) => {
    if (!Number.isInteger(percent) || percent < 1 || percent > 99) {
      invalid(
        scope,
        `${strategy} percent must be a whole number between 1 and 99, got ${show(percent)}`,
        'Shift part of the traffic first; use allAtOnce to shift all of it',
      );
    }
  };
}

const POD_COUNT = /^(\d+)%$/;

export function checkPodCount(scope: IConstruct, prop: string, value: PodCount): plus.PercentOrAbsolute {
  const percent = typeof value === 'string' ? POD_COUNT.exec(value) : null;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) {
    return plus.PercentOrAbsolute.absolute(value);
  }
  if (percent && Number(percent[1]) <= 100) {
    return plus.PercentOrAbsolute.percent(Number(percent[1]));
  }
  return invalid(
    scope,
    `${prop} must be a whole number of pods or a percentage like "25%", got ${show(value)}`,
    'Use 0 or more pods, or 0% to 100%',
  );
}

export function isZero(value: PodCount): boolean {
  return value === 0 || value === '0%';
}

export function checkPositive(scope: IConstruct, what: string, duration: Duration | undefined): void {
  if (duration !== undefined && duration.toMilliseconds() <= 0) {
    invalid(
      scope,
      `${what} must be a positive duration, got ${duration.toSeconds()}s`,
      'Give it a duration above 0',
    );
  }
}
