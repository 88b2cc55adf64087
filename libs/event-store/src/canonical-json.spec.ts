import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, jsonInCanonicalOrder } from './canonical-json';

describe('canonical JSON (RFC 8785)', () => {
  it('is byte for byte what the canonicalize package gives, for arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        // Through text and back: the ledger canonicalises parsed JSON, never live objects.
        const parsed = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
      }),
      { numRuns: 3000 },
    );
  });

  it("gives RFC 8785's own example and the orders an engine would change", () => {
    // RFC 8785 section 3.2.3: members sorted by UTF-16 code units.
    const sorting = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(sorting)).toBe(canonicalize(sorting));
    expect(canonicalJson(sorting)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    // Numbers as ECMAScript writes them (RFC 8785 3.2.2.3).
    expect(canonicalJson({ b: [1e21, 1e-7, -0, 0.1, 333333333.3333333], a: 'x' })).toBe('{"a":"x","b":[1e+21,1e-7,0,0.1,333333333.3333333]}');
    const indexKeys = JSON.parse('{"10":1,"9":2,"a":{"2":0,"10":1},"__proto__":3}');
    expect(canonicalJson(indexKeys)).toBe('{"10":1,"9":2,"__proto__":3,"a":{"10":1,"2":0}}');
  });
});

/** Whether any object in the value has a member name a copy cannot keep in order (V8 lists index names first). */
function hasReorderedName(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(hasReorderedName);
  return Object.entries(value).some(([name, member]) => /^[0-9]/.test(name) || name === '__proto__' || hasReorderedName(member));
}

describe('what the embedded store writes for event data (jsonInCanonicalOrder)', () => {
  it('is the canonical text of plain data, and always the value JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (built) => {
        const value = JSON.parse(JSON.stringify(built));
        const written = jsonInCanonicalOrder(value);
        expect(JSON.parse(written)).toEqual(value);
        if (!hasReorderedName(value)) expect(written).toBe(canonicalize(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes objects with a toJSON of their own (a Date, a class instance) as JSON.stringify does', () => {
    class Money {
      constructor(
        readonly currency: string,
        readonly amount: number,
      ) {}
      toJSON() {
        return `${this.amount} ${this.currency}`;
      }
    }
    const data = { title: 'x', at: new Date(Date.UTC(2017, 4, 4)), fee: new Money('USD', 5), gone: undefined, list: [undefined, () => 1] };
    expect(jsonInCanonicalOrder(data)).toBe(JSON.stringify(data));
    // Plain data in the order code builds it comes out sorted; undefined members dropped as JSON.stringify drops them.
    expect(jsonInCanonicalOrder({ title: 'x', kind: 'zone', gone: undefined, area: { z: 1, a: [{ b: 1, a: 2 }] } })).toBe(
      '{"area":{"a":[{"a":2,"b":1}],"z":1},"kind":"zone","title":"x"}',
    );
  });
});
