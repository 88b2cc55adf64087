import { civilFromDays, daysFromCivil, daysInMonth, ParseResult, toIsoInstant } from './business-time';

/**
 * ISO 8601 durations for agreement terms: PnYnMnWnD with an optional time part TnHnMnS
 * (P6M, P1Y, P90D, P1Y6M, P2W, PT72H for a 72-hour truce). Whole numbers only; a zero-length
 * duration is refused since no term lasts zero time.
 */
export interface IsoDuration {
  value: string;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const MAX_LENGTH = 64;
const EXPECTED = 'expected an ISO 8601 duration such as P6M, P1Y, P90D, P1Y6M, P2W or PT72H';

export function tryParseDuration(text: string): ParseResult<IsoDuration> {
  if (typeof text !== 'string' || text.length > MAX_LENGTH) return { ok: false, reason: EXPECTED };
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    return { ok: false, reason: `${JSON.stringify(text)} is not a duration: ${EXPECTED}` };
  }
  const [years, months, weeks, days, hours, minutes, seconds] = m.slice(1, 8).map((part) => (part ? Number(part) : 0));
  if ([years, months, weeks, days, hours, minutes, seconds].every((n) => n === 0)) {
    return { ok: false, reason: `${JSON.stringify(text)} is zero long: a term must last some time` };
  }
  if (years > 1000) return { ok: false, reason: `${JSON.stringify(text)} is longer than 1000 years` };
  return { ok: true, value: { value: text, years, months, weeks, days, hours, minutes, seconds } };
}

export function parseDuration(text: string): IsoDuration {
  const result = tryParseDuration(text);
  if (!result.ok) throw new RangeError(result.reason);
  return result.value;
}

/**
 * Adds a duration to an instant with UTC calendar arithmetic: years and months first, clamping the
 * day to the end of a shorter month (2017-01-31 + P1M = 2017-02-28), then weeks, days and time.
 */
export function addDuration(instantIso: string, duration: string | IsoDuration): string {
  const d = typeof duration === 'string' ? parseDuration(duration) : duration;
  const millis = Date.parse(instantIso);
  if (Number.isNaN(millis)) throw new RangeError(`${JSON.stringify(instantIso)} is not an ISO instant`);
  const dayNumber = Math.floor(millis / 86_400_000);
  const timeOfDay = millis - dayNumber * 86_400_000;
  const { year, month, day } = civilFromDays(dayNumber);
  const monthIndex = year * 12 + (month - 1) + d.years * 12 + d.months;
  const newYear = Math.floor(monthIndex / 12);
  const newMonth = (monthIndex % 12) + 1;
  const newDay = Math.min(day, daysInMonth(newYear, newMonth));
  const days = daysFromCivil(newYear, newMonth, newDay) + d.weeks * 7 + d.days;
  const time = ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000;
  return toIsoInstant(days * 86_400_000 + timeOfDay + time);
}
