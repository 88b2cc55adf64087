import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from '@agreements/event-store';
import { isCanonicalJsonText } from './canonical-text';

/** What the check promises when it says yes: the text is one JSON value, written as JCS writes it. */
function reallyCanonical(text: string): boolean {
  try {
    return canonicalJson(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** No member name with a character JSON escapes (the check leaves those names to the slow way). */
function namesNeedNoEscape(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) return value.every(namesNeedNoEscape);
  return Object.entries(value).every(([name, member]) => !JSON.stringify(name).includes('\\') && namesNeedNoEscape(member));
}

function writtenAs(c: string, how: string): string {
  const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
  if (how === 'raw') return c;
  if (how === 'stringify') return JSON.stringify(c).slice(1, -1);
  return `\\u${how === 'lower' ? hex : hex.toUpperCase()}`;
}

/** One UTF-16 unit, often a control, Latin-1 or surrogate one. */
const oneUnit = fc
  .oneof(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0xffff }))
  .map((code) => String.fromCharCode(code));

// Strings of every kind of UTF-16 unit (lone surrogates, control characters) as well as plain ones.
const anyJson = fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'binary' }), fc.jsonValue({ stringUnit: 'grapheme' }));

describe('isCanonicalJsonText: is a text already RFC 8785 canonical?', () => {
  it('says yes only for canonical texts, whatever the text (sound)', () => {
    const texts = fc.oneof(
      anyJson.map((v) => JSON.stringify(v)),
      anyJson.map((v) => JSON.stringify(v, null, 1)),
      anyJson.map((v) => canonicalize(v) as string),
      // Canonical texts with one character changed, inserted or removed: mostly not JSON at all.
      fc.tuple(anyJson, fc.nat(), fc.string({ unit: 'binary', maxLength: 1 })).map(([v, at, c]) => {
        const text = canonicalize(v) as string;
        const i = at % (text.length + 1);
        return text.slice(0, i) + c + text.slice(i + (at % 2));
      }),
      fc.string({ unit: 'binary' }),
      // Objects written by hand: members in any order, names repeated.
      fc
        .array(fc.tuple(fc.constantFrom('a', 'b', 'ab', '10', '9', '', 'é'), anyJson), { maxLength: 5 })
        .map((members) => `{${members.map(([name, v]) => `${JSON.stringify(name)}:${canonicalize(v)}`).join(',')}}`),
      // Strings written by hand: each character raw, as JSON.stringify escapes it, or as \u in either case.
      fc
        .array(fc.tuple(oneUnit, fc.constantFrom('raw', 'stringify', 'lower', 'upper')))
        .map((chars) => `"${chars.map(([c, how]) => writtenAs(c, how)).join('')}"`),
    );
    fc.assert(
      fc.property(texts, (text) => {
        if (isCanonicalJsonText(text)) expect(reallyCanonical(text)).toBe(true);
      }),
      { numRuns: 10_000 },
    );
  });

  it('says yes for the canonical text of JSON without lone surrogates nor escapes in names (what the store writes)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'grapheme' })), (value) => {
        fc.pre(namesNeedNoEscape(value));
        expect(isCanonicalJsonText(canonicalize(value) as string)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('tells the cases apart one by one', () => {
    const yes = ['{}', '[]', '0', '-1', '1.5', '1e+21', '1e-7', '"\\u001f\\n\\"é😀"', '{"a":1,"b":[true,false,null]}', '{"10":1,"9":2}', '{"":0,"a":{}}'];
    const no = [
      '{"b":1,"a":2}', // members out of order
      '{"a":1,"a":2}', // a name twice
      '{"a": 1}', // whitespace
      ' 1',
      '1.0',
      '-0',
      '01',
      '1E+21',
      '1e21',
      '12345678901234567890', // not exact as a double
      '"\\/"', // an escape JSON.stringify does not write
      '"\\u0041"',
      '"\\u001F"', // upper-case hex
      '"\\u000a"', // \n has a short form
      '"\ud800"', // a lone surrogate, raw
      '"\udc00\udc00"', // two low surrogates, raw
      '{"a":1',
      '[1,]',
      'tru',
      '"abc',
      '',
    ];
    for (const text of yes) expect([text, isCanonicalJsonText(text)]).toEqual([text, true]);
    for (const text of no) expect([text, isCanonicalJsonText(text)]).toEqual([text, false]);
  });

  it('answers no, without throwing, for nesting deeper than the stack', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    expect(isCanonicalJsonText(deep)).toBe(false);
  });
});
