import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

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
