import {
  asOfInstant,
  compareBusinessTimes,
  isEntirelyBefore,
  parseBusinessTime,
  InvalidBusinessTimeError,
  tryParseBusinessTime,
} from './business-time';

function reasonFor(text: string): string {
  const result = tryParseBusinessTime(text);
  if (result.ok) throw new Error(`${text} was accepted`);
  return result.reason;
}

describe('business time', () => {
  it.each([
    ['2017', 'year', '2017-01-01T00:00:00.000Z', '2017-12-31T23:59:59.999Z'],
    ['2016-02', 'month', '2016-02-01T00:00:00.000Z', '2016-02-29T23:59:59.999Z'],
    ['2017-02', 'month', '2017-02-01T00:00:00.000Z', '2017-02-28T23:59:59.999Z'],
    ['2017-08', 'month', '2017-08-01T00:00:00.000Z', '2017-08-31T23:59:59.999Z'],
    ['2017-12', 'month', '2017-12-01T00:00:00.000Z', '2017-12-31T23:59:59.999Z'],
    ['2017-05-04', 'day', '2017-05-04T00:00:00.000Z', '2017-05-04T23:59:59.999Z'],
    ['2000-02-29', 'day', '2000-02-29T00:00:00.000Z', '2000-02-29T23:59:59.999Z'],
    ['2017-05-04T10:30:00Z', 'instant', '2017-05-04T10:30:00.000Z', '2017-05-04T10:30:00.000Z'],
    ['2017-05-04T10:30:00.25Z', 'instant', '2017-05-04T10:30:00.250Z', '2017-05-04T10:30:00.250Z'],
    ['2017-05-04T10:30:00.123456+00:00', 'instant', '2017-05-04T10:30:00.123Z', '2017-05-04T10:30:00.123Z'],
    ['2017-05-04T02:00:00+06:00', 'instant', '2017-05-03T20:00:00.000Z', '2017-05-03T20:00:00.000Z'],
    ['2017-12-31T23:30:00-01:00', 'instant', '2018-01-01T00:30:00.000Z', '2018-01-01T00:30:00.000Z'],
    ['2017-05-04t10:30:00z', 'instant', '2017-05-04T10:30:00.000Z', '2017-05-04T10:30:00.000Z'],
    ['2017-05-04T10:30:00', 'instant', '2017-05-04T10:30:00.000Z', '2017-05-04T10:30:00.000Z'],
    ['1648-10-24', 'day', '1648-10-24T00:00:00.000Z', '1648-10-24T23:59:59.999Z'],
    ['0099', 'year', '0099-01-01T00:00:00.000Z', '0099-12-31T23:59:59.999Z'],
  ])('%s has %s precision, from %s to %s', (text, precision, earliest, latest) => {
    expect(parseBusinessTime(text)).toEqual({ value: text, precision, earliest, latest });
  });

  it('an interval spans from its start earliest to its end latest, keeping the precision of each end', () => {
    expect(parseBusinessTime('2017-07-04/2017-07-05')).toEqual({
      value: '2017-07-04/2017-07-05',
      precision: 'interval',
      earliest: '2017-07-04T00:00:00.000Z',
      latest: '2017-07-05T23:59:59.999Z',
      startPrecision: 'day',
      endPrecision: 'day',
    });
    expect(parseBusinessTime('2017-05/2017-11-06T12:00:00Z')).toMatchObject({
      earliest: '2017-05-01T00:00:00.000Z',
      latest: '2017-11-06T12:00:00.000Z',
      startPrecision: 'month',
      endPrecision: 'instant',
    });
  });

  it('an interval may start and end in the same period', () => {
    expect(parseBusinessTime('2017-07-04/2017-07-04').latest).toBe('2017-07-04T23:59:59.999Z');
  });

  it.each([
    ['2017-02-29', /2017 is not a leap year/],
    ['1900-02-29', /not a leap year/],
    ['2017-02-30', /day 30 does not exist in 2017-02/],
    ['2017-04-31', /day 31 does not exist/],
    ['2017-13', /month 13 does not exist/],
    ['2017-00', /month 00 does not exist/],
    ['2017-05-00', /day 00 does not exist/],
    ['2017-05-04T24:00:00Z', /hour 24 does not exist/],
    ['2017-05-04T10:60:00Z', /minute 60 does not exist/],
    ['2016-12-31T23:59:60Z', /leap seconds/],
    ['2017-05-04T10:00:00+24:00', /offset \+24:00 does not exist/],
  ])('refuses the impossible date %s, saying why', (text, reason) => {
    expect(reasonFor(text)).toMatch(reason);
  });

  it.each([
    '',
    '17',
    '2017-5',
    '2017-05-4',
    '2017/05/04',
    '04.05.2017',
    'May 2017',
    ' 2017',
    '2017-05-04T10:00Z',
    '2017-05-04 10:00:00Z',
    'P6M',
  ])('refuses %j, which is not a business time form', (text) => {
    expect(reasonFor(text)).toMatch(/expected 2017, 2017-08, 2017-05-04/);
  });

  it.each([
    ['2017-07-05/2017-07-04', /ends \(2017-07-04\) before it starts \(2017-07-05\)/],
    ['2017-08/2017-07', /before it starts/],
    ['2017-07-15/2017-07', /before it starts/],
    ['2017-07-04/', /needs both a start and an end/],
    ['../2017', /needs both a start and an end/],
    ['2017/2018/2019', /more than one "\/"/],
    ['2017-07-04/2017-02-30', /interval end 2017-02-30: day 30 does not exist/],
    ['2017-13/2018', /interval start 2017-13: month 13/],
  ])('refuses the interval %s', (text, reason) => {
    expect(reasonFor(text)).toMatch(reason);
  });

  it('refuses what is not a string and what is too long', () => {
    expect(tryParseBusinessTime(2017 as unknown as string).ok).toBe(false);
    expect(tryParseBusinessTime('2017'.repeat(30)).ok).toBe(false);
  });

  it('parseBusinessTime throws the reason', () => {
    expect(() => parseBusinessTime('2017-02-29')).toThrow(InvalidBusinessTimeError);
    expect(() => parseBusinessTime('2017-02-29')).toThrow(/not a leap year/);
  });

  it('asOf means the end of the period it names', () => {
    expect(asOfInstant('2017-06')).toBe('2017-06-30T23:59:59.999Z');
    expect(asOfInstant('2017-06-01')).toBe('2017-06-01T23:59:59.999Z');
    expect(asOfInstant('2017-09-01T00:00:00Z')).toBe('2017-09-01T00:00:00.000Z');
  });

  it('a period is before another only when it ends before the other starts', () => {
    const may4 = parseBusinessTime('2017-05-04');
    const may = parseBusinessTime('2017-05');
    const may6 = parseBusinessTime('2017-05-06');
    expect(isEntirelyBefore(may4, may6)).toBe(true);
    expect(isEntirelyBefore(may6, may4)).toBe(false);
    expect(isEntirelyBefore(may, may6)).toBe(false);
    expect(isEntirelyBefore(may6, may)).toBe(false);
  });

  it('orders by earliest, then the narrower period first', () => {
    const sorted = ['2017-08', '2017', '2017-07-04/2017-07-05', '2017-08-01']
      .map(parseBusinessTime)
      .sort(compareBusinessTimes);
    expect(sorted.map((t) => t.value)).toEqual(['2017', '2017-07-04/2017-07-05', '2017-08-01', '2017-08']);
  });
});
