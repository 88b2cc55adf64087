import { addDuration, parseDuration, tryParseDuration } from './duration';

describe('ISO 8601 durations', () => {
  it.each([
    ['P6M', { months: 6 }],
    ['P1Y', { years: 1 }],
    ['P90D', { days: 90 }],
    ['P1Y6M', { years: 1, months: 6 }],
    ['P2W', { weeks: 2 }],
    ['PT72H', { hours: 72 }],
    ['P1DT12H30M15S', { days: 1, hours: 12, minutes: 30, seconds: 15 }],
  ])('reads %s', (text, parts) => {
    expect(parseDuration(text)).toEqual({
      value: text,
      years: 0,
      months: 0,
      weeks: 0,
      days: 0,
      hours: 0,
      minutes: 0,
      seconds: 0,
      ...parts,
    });
  });

  it.each(['', 'P', 'PT', '6M', 'P6', 'P-6M', 'P1.5Y', 'P6M1Y', 'p6m', 'P1YT', 'P0D', 'P0Y0M', 'P1001Y'])(
    'refuses %j',
    (text) => {
      expect(tryParseDuration(text).ok).toBe(false);
    },
  );

  it.each([
    ['2017-05-06T00:00:00.000Z', 'P6M', '2017-11-06T00:00:00.000Z'],
    ['2017-05-06T00:00:00.000Z', 'P1Y', '2018-05-06T00:00:00.000Z'],
    ['2017-05-06T00:00:00.000Z', 'P90D', '2017-08-04T00:00:00.000Z'],
    ['2017-05-06T00:00:00.000Z', 'P1Y6M', '2018-11-06T00:00:00.000Z'],
    ['2017-05-06T00:00:00.000Z', 'P2W', '2017-05-20T00:00:00.000Z'],
    ['2017-01-31T00:00:00.000Z', 'P1M', '2017-02-28T00:00:00.000Z'],
    ['2016-01-31T00:00:00.000Z', 'P1M', '2016-02-29T00:00:00.000Z'],
    ['2016-02-29T00:00:00.000Z', 'P1Y', '2017-02-28T00:00:00.000Z'],
    ['2017-08-31T10:00:00.000Z', 'P6M', '2018-02-28T10:00:00.000Z'],
    ['2017-11-15T00:00:00.000Z', 'P3M', '2018-02-15T00:00:00.000Z'],
    ['2017-12-31T23:00:00.000Z', 'PT72H', '2018-01-03T23:00:00.000Z'],
    ['2017-03-25T12:00:00.000Z', 'P1D', '2017-03-26T12:00:00.000Z'],
  ])('%s + %s = %s (UTC calendar arithmetic)', (start, duration, end) => {
    expect(addDuration(start, duration)).toBe(end);
  });

  it('takes a parsed duration too and refuses what is not an instant', () => {
    expect(addDuration('2017-05-06T00:00:00Z', parseDuration('P6M'))).toBe('2017-11-06T00:00:00.000Z');
    expect(() => addDuration('not a date', 'P6M')).toThrow(/not an ISO instant/);
    expect(() => addDuration('2017-05-06T00:00:00Z', 'P6')).toThrow(/not a duration/);
  });
});
