import canonicalize from 'canonicalize';

// RFC 8785 (JCS) bytes of JSON values, fast. JCS serialises numbers and strings exactly as
// ECMAScript's JSON.stringify does (RFC 8785 section 3.2.2) and sorts object members by their
// UTF-16 code units, which is how JavaScript compares strings. JSON.stringify writes members in
// Object.keys order; so wherever that order is already sorted the native JSON.stringify writes the
// canonical form, and only objects out of order are copied in sorted order. Where a copy cannot
// keep that order (V8 lists array-index keys such as "10" first and numerically; "__proto__" has
// a setter) the `canonicalize` package does it. canonical-json.spec.ts checks the two agree on
// arbitrary JSON. Lives in the event store because the embedded store writes event data in this
// form (the ledger then hashes the stored text as it is: docs/auditing.md).

/** Thrown by the walk when the fast way cannot give the canonical form. */
class NeedsReference extends Error {}

const mayReorder = (key: string): boolean => {
  const c = key.charCodeAt(0);
  return (c >= 48 && c <= 57) || key === '__proto__';
};

const isPlainObject = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * The value itself when every object in it lists its keys in sorted order, else a copy that does.
 * `plainOnly`: a value built in code, not parsed, may hold objects JSON.stringify writes through
 * their toJSON (a Date, a class instance): those are refused rather than copied member by member.
 */
function inCanonicalOrder(value: unknown, plainOnly: boolean): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i += 1) {
      const item = inCanonicalOrder(value[i], plainOnly);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  if (plainOnly && !isPlainObject(value)) throw new NeedsReference();
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  let sorted = true;
  // Allocated only once a member changes: most objects are returned as they are.
  let members: unknown[] | undefined;
  for (let i = 0; i < keys.length; i += 1) {
    if (i > 0 && keys[i - 1] > keys[i]) sorted = false;
    const member = source[keys[i]];
    const ordered = inCanonicalOrder(member, plainOnly);
    if (ordered !== member) {
      members ??= keys.map((key) => source[key]);
      members[i] = ordered;
    }
  }
  if (sorted && !members) return value;
  const out: Record<string, unknown> = {};
  if (!members) {
    // Only the order changes (the common case of data built in code): the names sorted as they are.
    for (const name of keys.sort()) {
      if (mayReorder(name)) throw new NeedsReference();
      out[name] = source[name];
    }
    return out;
  }
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => (keys[a] < keys[b] ? -1 : 1));
  for (const i of order) {
    if (mayReorder(keys[i])) throw new NeedsReference();
    out[keys[i]] = members ? members[i] : source[keys[i]];
  }
  return out;
}

/** The JCS text of a JSON value (parsed JSON: no functions, no NaN, no cycles). */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(inCanonicalOrder(value, false));
  } catch (err) {
    if (!(err instanceof NeedsReference)) throw err;
    const text = canonicalize(value);
    if (text === undefined) throw new Error('no canonical JSON for this value');
    return text;
  }
}

/**
 * What the embedded store writes for a value built in code: JSON.stringify's text of it, with
 * object members in canonical (sorted) order when every object in it is a plain one whose keys
 * a copy can order; else exactly JSON.stringify's text. Either way the same JSON value
 * JSON.stringify writes: the order is only a shortcut for the ledger, never a promise.
 */
export function jsonInCanonicalOrder(value: unknown): string {
  try {
    return JSON.stringify(inCanonicalOrder(value, true));
  } catch (err) {
    if (!(err instanceof NeedsReference)) throw err;
    return JSON.stringify(value);
  }
}
