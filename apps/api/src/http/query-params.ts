import { tryParseBusinessTime } from '@agreements/domain';
import { FieldError, validationFailed } from '@agreements/application';

export type QueryKind = 'business-time' | 'recorded-time' | 'limit' | 'cursor' | 'slug' | 'actor' | 'text' | 'integer' | 'position';
/** A parameter's kind, or the list of values it may take. */
export type QuerySpec = Record<string, QueryKind | readonly string[]>;

export interface QueryLimits {
  defaultLimit?: number;
  maxLimit?: number;
}

export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{1,98}[a-z0-9]$';
export const ACTOR_PATTERN = '^([A-Z]{3}|[a-z]+:[a-z0-9][a-z0-9-]*[a-z0-9])$';
const SLUG = new RegExp(SLUG_PATTERN);
const ACTOR = new RegExp(ACTOR_PATTERN);

export interface ParsedQuery {
  [name: string]: string | number | undefined;
}

/**
 * Strict query strings: an unknown parameter or a bad value is a 400 naming it, never silently
 * ignored (a typo in `asOf` must not answer "now").
 */
export function parseQuery(
  raw: Record<string, unknown>,
  spec: QuerySpec,
  limits: QueryLimits = {},
): ParsedQuery {
  const errors: FieldError[] = [];
  const out: ParsedQuery = {};
  for (const [name, value] of Object.entries(raw ?? {})) {
    // Own keys only: ?constructor= or ?__proto__= must not find Object's prototype in the spec.
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) {
      errors.push({ field: name, message: `is not a known query parameter; known: ${Object.keys(spec).join(', ') || 'none'}` });
      continue;
    }
    if (typeof value !== 'string') {
      errors.push({ field: name, message: 'must be given once' });
      continue;
    }
    if (Array.isArray(kind)) {
      if (!kind.includes(value)) errors.push({ field: name, message: `must be one of ${kind.join(', ')}` });
      else out[name] = value;
      continue;
    }
    switch (kind) {
      case 'business-time':
      case 'recorded-time': {
        const parsed = tryParseBusinessTime(value);
        if (!parsed.ok) errors.push({ field: name, message: parsed.reason });
        else out[name] = value;
        break;
      }
      case 'limit': {
        const n = Number(value);
        const max = limits.maxLimit ?? 1000;
        if (!/^\d+$/.test(value) || n < 1 || n > max) errors.push({ field: name, message: `must be a whole number from 1 to ${max}` });
        else out[name] = n;
        break;
      }
      case 'integer': {
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) errors.push({ field: name, message: 'must be a whole number from 0' });
        else out[name] = Number(value);
        break;
      }
      case 'slug':
        if (!SLUG.test(value)) errors.push({ field: name, message: 'must be a slug (a-z, 0-9, -)' });
        else out[name] = value;
        break;
      case 'actor':
        if (!ACTOR.test(value)) {
          errors.push({ field: name, message: 'must be an actor id such as RUS or group:syrian-opposition' });
        } else out[name] = value;
        break;
      case 'text':
      case 'cursor':
      case 'position':
        if (value.length === 0 || value.length > 512) errors.push({ field: name, message: 'must be 1 to 512 characters' });
        else out[name] = value;
        break;
    }
  }
  if (errors.length) throw validationFailed(errors);
  if (spec.limit && out.limit === undefined) out.limit = limits.defaultLimit ?? 50;
  return out;
}
