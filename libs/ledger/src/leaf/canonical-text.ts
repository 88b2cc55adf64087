// Whether a JSON text is already in RFC 8785 (JCS) form, decided in one pass over its characters,
// without parsing it into objects. The keeper hashes a stored `data` text as it is when this says
// yes, and canonicalises it (parse, sort, write) otherwise. The check is conservative: it answers
// yes only for texts it can prove canonical; a rarer canonical form it does not prove (a string
// with a \u escape of a lone surrogate, a key with an escape in it) answers no and merely takes
// the slow way. canonical-text.spec.ts holds it to that: yes implies the text is what
// canonicalJson writes for its parsed value.
//
// JCS text is: no whitespace between tokens; object members in ascending order of their names'
// UTF-16 code units, no name twice; strings as JSON.stringify writes them (only \" \\ \b \f \n \r
// \t and \u00xx for the other control characters escaped, lower-case hex, nothing else escaped,
// no lone surrogate); numbers as ECMAScript's Number-to-String writes them.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Where the value starting at i ends (the index after it), or -1 when it is not provably canonical. */
function value(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return string(s, i, false);
  if (c === 0x7b /* { */) return object(s, i);
  if (c === 0x5b /* [ */) return array(s, i);
  if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) return number(s, i);
  if (c === 0x74 /* t */) return s.startsWith('true', i) ? i + 4 : -1;
  if (c === 0x66 /* f */) return s.startsWith('false', i) ? i + 5 : -1;
  if (c === 0x6e /* n */) return s.startsWith('null', i) ? i + 4 : -1;
  return -1;
}

/** The string starting at the quote at i; as an object's member name, no escape at all is accepted. */
function string(s: string, i: number, name: boolean): number {
  for (let j = i + 1; ; j += 1) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (Number.isNaN(c) || c < 0x20) return -1;
    if (c === BACKSLASH) {
      if (name) return -1;
      const e = s.charCodeAt(j + 1);
      if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 1;
        continue;
      }
      // \u00xx for a control character without a short escape, as JSON.stringify writes it.
      if (e !== 0x75 || !s.startsWith('00', j + 2)) return -1;
      const hi = s.charCodeAt(j + 4);
      const lo = s.charCodeAt(j + 5);
      if (hi !== 0x30 && hi !== 0x31) return -1;
      const low = lo >= 0x30 && lo <= 0x39 ? lo - 0x30 : lo >= 0x61 && lo <= 0x66 ? lo - 0x61 + 10 : -1;
      if (low < 0) return -1;
      const code = (hi - 0x30) * 16 + low;
      if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d) return -1;
      j += 5;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate pair is written as it is; a lone surrogate JSON.stringify would escape.
      const next = s.charCodeAt(j + 1);
      if (c > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return -1;
      j += 1;
    }
  }
}

/** -1, 0 or 1 as the name in [a, aEnd) sorts before, with or after the one in [b, bEnd) (UTF-16 code units). */
function compareNames(s: string, a: number, aEnd: number, b: number, bEnd: number): number {
  for (; a < aEnd && b < bEnd; a += 1, b += 1) {
    const d = s.charCodeAt(a) - s.charCodeAt(b);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return a < aEnd ? 1 : b < bEnd ? -1 : 0;
}

function object(s: string, i: number): number {
  let j = i + 1;
  if (s.charCodeAt(j) === 0x7d /* } */) return j + 1;
  let previous = -1;
  let previousEnd = -1;
  for (;;) {
    if (s.charCodeAt(j) !== QUOTE) return -1;
    const end = string(s, j, true);
    if (end < 0) return -1;
    // Strictly ascending: out of order or a name twice is not canonical.
    if (previous >= 0 && compareNames(s, previous, previousEnd, j + 1, end - 1) >= 0) return -1;
    previous = j + 1;
    previousEnd = end - 1;
    if (s.charCodeAt(end) !== COLON) return -1;
    j = value(s, end + 1);
    if (j < 0) return -1;
    const c = s.charCodeAt(j);
    if (c === 0x7d /* } */) return j + 1;
    if (c !== COMMA) return -1;
    j += 1;
  }
}

function array(s: string, i: number): number {
  let j = i + 1;
  if (s.charCodeAt(j) === 0x5d /* ] */) return j + 1;
  for (;;) {
    j = value(s, j);
    if (j < 0) return -1;
    const c = s.charCodeAt(j);
    if (c === 0x5d /* ] */) return j + 1;
    if (c !== COMMA) return -1;
    j += 1;
  }
}

/** Integers of up to 15 digits are exact doubles, written back as they are. */
const MAX_PLAIN_DIGITS = 15;

function number(s: string, i: number): number {
  let j = i;
  let plain = true;
  for (; ; j += 1) {
    const c = s.charCodeAt(j);
    if (c >= 0x30 && c <= 0x39) continue;
    if (c === 0x2d /* - */ && j === i) continue;
    if (c === 0x2e /* . */ || c === 0x65 /* e */ || c === 0x45 /* E */ || c === 0x2b /* + */ || c === 0x2d) {
      plain = false;
      continue;
    }
    break;
  }
  const negative = s.charCodeAt(i) === 0x2d;
  const digits = j - i - (negative ? 1 : 0);
  if (plain && digits >= 1 && digits <= MAX_PLAIN_DIGITS) {
    const first = s.charCodeAt(negative ? i + 1 : i);
    // No leading zero, and not "-0" (which JCS writes as 0).
    if (first !== 0x30 || digits === 1) return negative && first === 0x30 ? -1 : j;
    return -1;
  }
  // Anything else is canonical exactly when ECMAScript writes its value back the same way.
  const token = s.slice(i, j);
  return String(Number(token)) === token ? j : -1;
}

/** True only when `text` is one JSON value written exactly as RFC 8785 writes it. */
export function isCanonicalJsonText(text: string): boolean {
  try {
    return value(text, 0) === text.length;
  } catch {
    // Nesting deeper than the stack: not proven, take the slow way.
    return false;
  }
}
