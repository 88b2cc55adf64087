// Business time as the domain writes it (2017, 2017-05, 2017-05-04, an RFC 3339 date-time, or an
// interval A/B), read for display and drawing only: the server is what validates it.

export type Precision = 'year' | 'month' | 'day' | 'instant' | 'interval';

export interface PartialDate {
  /** First millisecond the value may mean (UTC). */
  start: number;
  /** First millisecond after it: a month is a month wide. */
  end: number;
  precision: Precision;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function point(text: string): PartialDate | undefined {
  let m = /^(\d{4})$/.exec(text);
  if (m) return { start: Date.UTC(+m[1], 0, 1), end: Date.UTC(+m[1] + 1, 0, 1), precision: 'year' };
  m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m && +m[2] >= 1 && +m[2] <= 12) return { start: Date.UTC(+m[1], +m[2] - 1, 1), end: Date.UTC(+m[1], +m[2], 1), precision: 'month' };
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) {
    const start = Date.UTC(+m[1], +m[2] - 1, +m[3]);
    const d = new Date(start);
    if (d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) return undefined;
    return { start, end: start + 86_400_000, precision: 'day' };
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(text)) {
    const start = Date.parse(text);
    if (Number.isNaN(start)) return undefined;
    return { start, end: start + 1, precision: 'instant' };
  }
  return undefined;
}

/** A business time as a span of time, or undefined when it is not one the domain writes. */
export function parsePartialDate(text: string): PartialDate | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return point(text.trim());
  const a = point(text.slice(0, slash).trim());
  const b = point(text.slice(slash + 1).trim());
  if (!a || !b || b.end < a.start) return undefined;
  return { start: a.start, end: b.end, precision: 'interval' };
}

const two = (n: number) => String(n).padStart(2, '0');

function formatPoint(text: string): string {
  const p = point(text);
  if (!p) return text;
  const d = new Date(p.start);
  const day = d.getUTCDate();
  const month = MONTHS[d.getUTCMonth()];
  const year = d.getUTCFullYear();
  switch (p.precision) {
    case 'year':
      return String(year);
    case 'month':
      return `${MONTHS_LONG[d.getUTCMonth()]} ${year}`;
    case 'day':
      return `${day} ${MONTHS_LONG[d.getUTCMonth()]} ${year}`;
    default:
      return `${day} ${month} ${year} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
  }
}

/** How a business time is shown: as precise as it was written ("May 2017", never "1 May 2017"). */
export function formatBusinessTime(text: string | null | undefined): string {
  if (!text) return '';
  const slash = text.indexOf('/');
  if (slash < 0) return formatPoint(text.trim());
  return `${formatPoint(text.slice(0, slash).trim())} to ${formatPoint(text.slice(slash + 1).trim())}`;
}

/** A recorded time (an instant the server set), to the second, in UTC. */
export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC`;
}

/** Words for the precision of a business time, said beside it. */
export function precisionWords(text: string): string {
  const p = parsePartialDate(text);
  return p ? (p.precision === 'instant' ? 'exact time' : p.precision === 'interval' ? 'a period' : `${p.precision} precision`) : 'not a date';
}

/** Month labels for an axis: the first day of each month (or year, when long) in [start, end). */
export function axisTicks(start: number, end: number): Array<{ at: number; label: string }> {
  const ticks: Array<{ at: number; label: string }> = [];
  const d0 = new Date(start);
  const months = (end - start) / (30 * 86_400_000);
  const step = months > 72 ? 12 : months > 24 ? 6 : months > 12 ? 3 : 1;
  let y = d0.getUTCFullYear();
  let m = d0.getUTCMonth();
  for (let guard = 0; guard < 400; guard += 1) {
    const at = Date.UTC(y, m, 1);
    if (at >= end) break;
    if (at >= start && m % step === 0) ticks.push({ at, label: step >= 12 ? String(y) : `${MONTHS[m]} ${y}` });
    m += 1;
    if (m === 12) {
      m = 0;
      y += 1;
    }
  }
  return ticks;
}
