/** One field that differs between the replayed view and the served one. */
export interface FieldDifference {
  /** A JSON path into the view: `status`, `parties[2].status`, `provisions[0].title`. */
  field: string;
  expected: unknown;
  served: unknown;
}

/**
 * Every leaf where two JSON values differ, walking objects by key (the union of both) and arrays by
 * index; a member present on one side only is a difference with `undefined` on the other.
 */
export function diffViews(expected: unknown, served: unknown, path = ''): FieldDifference[] {
  if (Object.is(expected, served)) return [];
  if (Array.isArray(expected) && Array.isArray(served)) {
    const out: FieldDifference[] = [];
    for (let i = 0; i < Math.max(expected.length, served.length); i++) out.push(...diffViews(expected[i], served[i], `${path}[${i}]`));
    return out;
  }
  if (isObject(expected) && isObject(served)) {
    const out: FieldDifference[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(served)]);
    for (const key of keys) out.push(...diffViews(expected[key], served[key], path ? `${path}.${key}` : key));
    return out;
  }
  return [{ field: path || '(the whole view)', expected, served }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value as a difference line shows it: JSON, or `(absent)`. */
export function showValue(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}
