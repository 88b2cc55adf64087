import canonicalize from 'canonicalize';

// RFC 8785 (JCS) bytes of parsed JSON, fast. JCS serialises numbers and strings exactly as
// ECMAScript's JSON.stringify does (RFC 8785 section 3.2.2) and sorts object members by their
// UTF-16 code units, which is how JavaScript compares strings. JSON.stringify writes members in
// Object.keys order; so wherever that order is already sorted (the leaf itself is built so, and
// much event data is) the native JSON.stringify writes the canonical form, and only objects out
// of order are copied in sorted order. Where a copy cannot keep that order (V8 lists array-index
// keys such as "10" first and numerically; "__proto__" has a setter) the `canonicalize` package
// does it. canonical-json.spec.ts checks the two agree on arbitrary JSON; on the bench's leaves this
// takes about two thirds of the package's time (docs/auditing.md).

class NeedsReference extends Error {}

const mayReorder = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return (c >= 48 && c <= 57) || key === '__proto__';
};

/** The value itself when every object in it lists its keys in sorted order, else a copy that does. */
function inCanonicalOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item = inCanonicalOrder(value[i]);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let sorted = true;
  // Allocated only once a member changes: most objects are returned as they are.
  let members: unknown[] | undefined;
  for (let i = 0; i < keys.length; i += 1) {
    if (i > 0 && keys[i - 1] > keys[i]) sorted = false;
    const member = source[keys[i]];
    const ordered = inCanonicalOrder(member);
    if (ordered !== member) {
      members ??= keys.map((key) => source[key]);
      members[i] = ordered;
    }
  }
  if (sorted && !members) return value;
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
  const out: Record<string, unknown> = {};
  for (const i of order) {
    if (mayReorder(keys[i])) throw new NeedsReference();
    out[keys[i]] = members ? members[i] : source[keys[i]];
  }
  return out;
}

/** The JCS text of a JSON value (parsed JSON: no functions, no NaN, no cycles). */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(inCanonicalOrder(value));
  } catch (err) {
    if (!(err instanceof NeedsReference)) throw err;
    const text = canonicalize(value);
    if (text === undefined) throw new Error('no canonical JSON for this value');
    return text;
  }
}
