import type { IConstruct } from 'constructs';
import { invalid, show } from '../core/errors.js';
import { isVectorSelector } from './promql.js';

/**
 * How the datapoint of each period is made from the metric, as CloudWatch's statistics; each becomes a
 * Prometheus `*_over_time` range function over the period.
 */
export class Statistic {
  /** The query's own value at the end of each period: its range functions use `{{period}}` as window. */
  public static readonly VALUE = new Statistic('Value');
  public static readonly AVERAGE = new Statistic('Average', 'avg_over_time');
  public static readonly MINIMUM = new Statistic('Minimum', 'min_over_time');
  public static readonly MAXIMUM = new Statistic('Maximum', 'max_over_time');
  public static readonly SUM = new Statistic('Sum', 'sum_over_time');
  public static readonly SAMPLE_COUNT = new Statistic('SampleCount', 'count_over_time');

  /** The `percentile`th percentile of the samples in the period (CloudWatch's pNN). */
  public static percentile(percentile: number): Statistic {
    return new Statistic(`p${percentile}`, 'quantile_over_time', percentile);
  }

  private constructor(
    /** CloudWatch's name of the statistic: "Average", "p99". */
    public readonly name: string,
    private readonly rangeFunction?: string,
    private readonly percentile?: number,
  ) {}

  /** @internal the datapoint query: `fn(metric[period])` for a selector, a subquery otherwise. */
  public _datapoint(metric: string, period: string): string {
    if (!this.rangeFunction) {
      return metric;
    }
    const range = isVectorSelector(metric) ? `${metric}[${period}]` : `(${metric})[${period}:]`;
    const quantile = this.percentile === undefined ? '' : `${this.percentile / 100}, `;
    return `${this.rangeFunction}(${quantile}${range})`;
  }

  /** @internal */
  public _validate(scope: IConstruct, alarm: string): void {
    const p = this.percentile;
    if (p !== undefined && !(p > 0 && p < 100)) {
      invalid(
        scope,
        `alarm "${alarm}" statistic percentile must be above 0 and below 100, got ${show(p)}`,
        'Use a percentile such as 99 (p99)',
      );
    }
  }
}
