/**
 * Business time: when something happened, with the precision the operator knows.
 * Accepted forms (EDTF level 0 / ISO 8601 subset):
 *   2017                        year
 *   2017-08                     month
 *   2017-05-04                  day
 *   2017-05-04T10:30:00Z        instant (RFC 3339; offset or Z; optional fraction; no zone = UTC)
 *   2017-07-04/2017-07-05       interval of any two of the above (the end not before the start)
 * Every form maps to the UTC instants it spans: `earliest` is its first millisecond, `latest` its last.
 */

export type PointPrecision = 'year' | 'month' | 'day' | 'instant';
export type BusinessTimePrecision = PointPrecision | 'interval';

export interface BusinessTime {
  /** Exactly as written. */
  value: string;
  /** First millisecond of the period, ISO 8601 UTC (2017-08-01T00:00:00.000Z). */
  earliest: string;
  /** Last millisecond of the period, ISO 8601 UTC (2017-08-31T23:59:59.999Z). */
  latest: string;
  precision: BusinessTimePrecision;
  /** Intervals only: the precision of each end. */
  startPrecision?: PointPrecision;
  endPrecision?: PointPrecision;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Thrown by parseBusinessTime; the message says what is wrong with the text. */
export class InvalidBusinessTimeError extends Error {
  constructor(
    readonly text: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'InvalidBusinessTimeError';
  }
}

const MAX_LENGTH = 100;
const EXPECTED = 'expected 2017, 2017-08, 2017-05-04, an RFC 3339 date-time or an interval A/B';
const YEAR = /^(\d{4})$/;
const MONTH = /^(\d{4})-(\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})?$/;

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil); free of Date's two-digit-year quirks. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): number {
  return daysFromCivil(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** ISO 8601 UTC with milliseconds, 4-digit years only (the range business time accepts). */
export function toIsoInstant(millis: number): string {
  return new Date(millis).toISOString();
}

interface Point {
  earliest: number;
  latest: number;
  precision: PointPrecision;
}

function checkMonth(month: number, text: string): string | undefined {
  if (month < 1 || month > 12) return `${text}: month ${String(month).padStart(2, '0')} does not exist`;
  return undefined;
}

function checkDay(year: number, month: number, day: number, text: string): string | undefined {
  const monthProblem = checkMonth(month, text);
  if (monthProblem) return monthProblem;
  const max = daysInMonth(year, month);
  if (day < 1 || day > max) {
    const extra = month === 2 && day === 29 ? ` (${year} is not a leap year)` : '';
    return `${text}: day ${String(day).padStart(2, '0')} does not exist in ${year}-${String(month).padStart(2, '0')}${extra}`;
  }
  return undefined;
}

function parsePoint(text: string): ParseResult<Point> {
  let m = YEAR.exec(text);
  if (m) {
    const year = Number(m[1]);
    return {
      ok: true,
      value: { earliest: utcMillis(year, 1, 1), latest: utcMillis(year + 1, 1, 1) - 1, precision: 'year' },
    };
  }
  m = MONTH.exec(text);
  if (m) {
    const year = Number(m[1]);
    const month = Number(m[2]);
    const problem = checkMonth(month, text);
    if (problem) return { ok: false, reason: problem };
    const start = utcMillis(year, month, 1);
    return {
      ok: true,
      value: { earliest: start, latest: start + daysInMonth(year, month) * MS_PER_DAY - 1, precision: 'month' },
    };
  }
  m = DAY.exec(text);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const problem = checkDay(year, month, day, text);
    if (problem) return { ok: false, reason: problem };
    const start = utcMillis(year, month, day);
    return { ok: true, value: { earliest: start, latest: start + MS_PER_DAY - 1, precision: 'day' } };
  }
  m = DATE_TIME.exec(text);
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const problem = checkDay(year, month, day, text);
    if (problem) return { ok: false, reason: problem };
    if (hour > 23) return { ok: false, reason: `${text}: hour ${m[4]} does not exist` };
    if (minute > 59) return { ok: false, reason: `${text}: minute ${m[5]} does not exist` };
    if (second > 59)
      return { ok: false, reason: `${text}: second ${m[6]} does not exist (leap seconds are not supported)` };
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
    let offsetMinutes = 0;
    const zone = m[8];
    if (zone && zone !== 'Z' && zone !== 'z') {
      const offHours = Number(zone.slice(1, 3));
      const offMinutes = Number(zone.slice(4, 6));
      if (offHours > 23 || offMinutes > 59) return { ok: false, reason: `${text}: offset ${zone} does not exist` };
      offsetMinutes = (zone[0] === '-' ? -1 : 1) * (offHours * 60 + offMinutes);
    }
    const instant = utcMillis(year, month, day, hour, minute, second, ms) - offsetMinutes * MS_PER_MINUTE;
    return { ok: true, value: { earliest: instant, latest: instant, precision: 'instant' } };
  }
  return { ok: false, reason: `${text === '' ? 'empty' : JSON.stringify(text)} is not a business time: ${EXPECTED}` };
}

// A stream's occurredAt values repeat a lot (whole days, months), and every fold, asOf answer and
// list at a time reads them again: parse each text once. The results are frozen, so sharing one
// between callers is safe. Bounded: cleared when full.
const parsed = new Map<string, ParseResult<BusinessTime>>();
const PARSED_LIMIT = 50_000;

export function tryParseBusinessTime(text: string): ParseResult<BusinessTime> {
  if (typeof text !== 'string') return { ok: false, reason: `business time must be a string: ${EXPECTED}` };
  let result = parsed.get(text);
  if (result === undefined) {
    result = deepFreeze(parseBusinessTimeText(text));
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    parsed.set(text, result);
  }
  return result;
}

function deepFreeze<T extends object>(result: T): T {
  for (const inner of Object.values(result)) if (inner !== null && typeof inner === 'object') Object.freeze(inner);
  return Object.freeze(result);
}

function parseBusinessTimeText(text: string): ParseResult<BusinessTime> {
  if (text.length > MAX_LENGTH) return { ok: false, reason: `business time is longer than ${MAX_LENGTH} characters` };
  const parts = text.split('/');
  if (parts.length > 2) return { ok: false, reason: `${JSON.stringify(text)} has more than one "/": ${EXPECTED}` };
  if (parts.length === 1) {
    const point = parsePoint(text);
    if (!point.ok) return point;
    return {
      ok: true,
      value: {
        value: text,
        earliest: toIsoInstant(point.value.earliest),
        latest: toIsoInstant(point.value.latest),
        precision: point.value.precision,
      },
    };
  }
  const [startText, endText] = parts;
  if (startText === '' || endText === '' || startText === '..' || endText === '..') {
    return { ok: false, reason: `${JSON.stringify(text)}: an interval needs both a start and an end` };
  }
  const start = parsePoint(startText);
  if (!start.ok) return { ok: false, reason: `interval start ${start.reason}` };
  const end = parsePoint(endText);
  if (!end.ok) return { ok: false, reason: `interval end ${end.reason}` };
  if (end.value.earliest < start.value.earliest || end.value.latest < start.value.latest) {
    return {
      ok: false,
      reason: `${JSON.stringify(text)}: the interval ends (${endText}) before it starts (${startText})`,
    };
  }
  return {
    ok: true,
    value: {
      value: text,
      earliest: toIsoInstant(start.value.earliest),
      latest: toIsoInstant(end.value.latest),
      precision: 'interval',
      startPrecision: start.value.precision,
      endPrecision: end.value.precision,
    },
  };
}

/** Throws InvalidBusinessTimeError with the reason when the text is not a business time. */
export function parseBusinessTime(text: string): BusinessTime {
  const result = tryParseBusinessTime(text);
  if (!result.ok) throw new InvalidBusinessTimeError(text, result.reason);
  return result.value;
}

/** For `asOf`: a business time means the end of the period it names (asOf=2017-06 is up to 30 June included). */
export function asOfInstant(text: string): string {
  return parseBusinessTime(text).latest;
}

/** True when a lies entirely before b (a's last millisecond is before b's first): only then is "a before b" certain. */
export function isEntirelyBefore(a: BusinessTime, b: BusinessTime): boolean {
  return Date.parse(a.latest) < Date.parse(b.earliest);
}

/** Orders by earliest, then by latest (the more precise first when they start together). */
export function compareBusinessTimes(a: BusinessTime, b: BusinessTime): number {
  return Date.parse(a.earliest) - Date.parse(b.earliest) || Date.parse(a.latest) - Date.parse(b.latest);
}

/** True when the event took effect at or before the instant (events take effect at their earliest). */
export function tookEffectBy(occurredAt: BusinessTime, instantIso: string): boolean {
  return Date.parse(occurredAt.earliest) <= Date.parse(instantIso);
}
