import { parseDuration } from '../../cli/duration.js';

describe('durations', () => {
  test.each([
    ['90', 90_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test('anything else is an error that shows the accepted forms', () => {
    expect(() => parseDuration('5 minutes')).toThrow(
      'invalid duration "5 minutes": use a number of seconds or units like 90s, 5m, 1h30m',
    );
  });
});
