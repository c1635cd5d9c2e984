import { Construct } from 'constructs';
import { checkPromQl, isVectorSelector, seriesSelectors } from '../../lib/alarms/promql.js';

const scope = new Construct(undefined as never, 'alarms');

describe('queries that differ only in label values share a parse, and each keeps its own texts and positions', () => {
  test('the series of each are its own', () => {
    expect(seriesSelectors('sum(rate(http_total{service="cart",code=~"5.."}[5m]))')).toEqual([
      'http_total{service="cart"}',
    ]);
    expect(seriesSelectors('sum(rate(http_total{service="checkout",code=~"5.."}[5m]))')).toEqual([
      'http_total{service="checkout"}',
    ]);
    expect(seriesSelectors("sum(rate(http_total{service='ad',code=~`5..`}[5m]))")).toEqual([
      "http_total{service='ad'}",
    ]);
  });

  test('a syntax error is reported at its own offset, whichever query was parsed first', () => {
    expect(checkPromQl(scope, 'query', 'rate(x{a="bb"}[5m])')).toBe('rate(x{a="bb"}[5m])');
    expect(() => checkPromQl(scope, 'query', 'rate(x{a="b\\"b"}[5m]')).toThrow(
      String.raw`alarms: query is not valid PromQL: syntax error at line 1, column 21 (offset 20) of "rate(x{a="b\"b"}[5m]". Fix the expression at that position`,
    );
  });

  test('string contents never change the verdict: a quote or a comment sign inside a string is just text', () => {
    expect(checkPromQl(scope, 'query', 'up{job="a#b\\"c"} # trailing "comment"')).toBe(
      'up{job="a#b\\"c"} # trailing "comment"',
    );
    expect(isVectorSelector('up{job="x"}')).toBe(true);
    expect(isVectorSelector('up{job="x"} + 1')).toBe(false);
  });

  test('an unterminated string is still an error', () => {
    expect(() => checkPromQl(scope, 'query', 'up{job="x}')).toThrow('alarms: query is not valid PromQL');
  });
});
