import fc from 'fast-check';

type Schema = Record<string, any>;

/** Values an attacker tries in any slot: wrong types, edge numbers, odd strings, prototype keys, depth. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1e308,
    2 ** 53,
    '',
    ' ',
    '\u0000',
    '\uffff',
    '\ud800',
    'RUS\u0000',
    '<script>alert(1)</script>',
    "'; DROP TABLE events;--",
    '../../etc/passwd',
    '%00%zz',
    '2017-02-30',
    '9999-99-99',
    'P-1Y',
    '__proto__',
    'constructor',
    'A'.repeat(5000),
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.array(fc.anything(), { maxLength: 4 }),
  fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x'), fc.anything(), { maxKeys: 3 }),
  fc.oneof(fc.integer({ min: 10, max: 100 }), fc.constantFrom(3000, 4000)).map((depth) => {
    let v: unknown = 'deep';
    for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
    return v;
  }),
  fc.integer({ min: 100, max: 3000 }).map((n) => Array.from({ length: n }, () => ({}))),
);

const BUSINESS_TIMES = ['2017', '2017-05', '2017-05-04', '2017-05-04T10:00:00Z', '2017-05-01/2017-06-01', '2012-06-30'];
const STATES = ['RUS', 'TUR', 'IRN', 'SYR', 'USA', 'XXX'];

function stringArb(schema: Schema): fc.Arbitrary<string> {
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'business-time') return fc.constantFrom(...BUSINESS_TIMES);
  if (schema.format === 'iso-duration') return fc.constantFrom('P6M', 'P1Y', 'P90D');
  if (schema.format === 'uri') return fc.constantFrom('https://www.un.org/', 'http://example.org/a?b=c');
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 60, 60);
  if (typeof schema.pattern === 'string') {
    if (schema.pattern.includes('[A-Z]{3}')) {
      return fc.oneof(fc.constantFrom(...STATES), fc.constantFrom('group:syrian-opposition', 'igo:un', 'person:de-mistura'));
    }
    return fc.stringMatching(new RegExp(schema.pattern), { maxLength: max }).filter((s) => s.length >= min && s.length <= (schema.maxLength ?? Infinity));
  }
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

/** A value the schema accepts (mostly: the domain's rules, e.g. real state codes, may still refuse it). */
export function validArb(schema: Schema, hostility = 0): fc.Arbitrary<unknown> {
  const child = (s: Schema) => (hostility > 0 ? mutatedArb(s, hostility) : validArb(s));
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...schema.enum);
  const union = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(union)) return fc.oneof(...union.map((s: Schema) => child(s)));
  switch (schema.type) {
    case 'string':
      return stringArb(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 1000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -5, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(child(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
      });
    case 'object': {
      if (schema.patternProperties) {
        // Free-form values (a correction's fields): whatever JSON, hostile included, passes the schema.
        return fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.jsonValue({ maxDepth: 3 }), hostileValue), { minKeys: 1, maxKeys: 4 });
      }
      const properties: Record<string, Schema> = schema.properties ?? {};
      const required: string[] = schema.required ?? [];
      const record = fc.record(
        Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, child(s)])),
        { requiredKeys: required as never[] },
      );
      return record;
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * The schema's shape with hostility: at each slot, now and then a hostile value instead, a
 * required field dropped or an unknown one added.
 */
export function mutatedArb(schema: Schema, hostility = 1): fc.Arbitrary<unknown> {
  const shaped = validArb(schema, hostility);
  const variants: Array<fc.WeightedArbitrary<unknown>> = [
    { arbitrary: shaped, weight: 12 },
    { arbitrary: hostileValue, weight: hostility },
  ];
  if (schema.type === 'object' && schema.properties) {
    variants.push({
      arbitrary: fc
        .tuple(shaped, fc.constantFrom(...Object.keys(schema.properties), '__proto__', 'constructor', 'unknownField'), hostileValue, fc.boolean())
        .map(([value, key, extra, drop]) => {
          const copy: Record<string, unknown> = { ...(value as object) };
          if (key in copy && drop) delete copy[key];
          else Object.defineProperty(copy, key, { value: extra, enumerable: true, configurable: true, writable: true });
          return copy;
        }),
      weight: hostility,
    });
  }
  return fc.oneof(...variants);
}
