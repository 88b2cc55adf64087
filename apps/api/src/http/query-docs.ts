import { applyDecorators } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { ACTOR_PATTERN, type QueryKind, type QueryLimits, type QuerySpec, SLUG_PATTERN } from './query-params';

const TEXT = { type: 'string', minLength: 1, maxLength: 512 } as const;
const BUSINESS_TIME = 'Business time: 2017, 2017-06, 2017-06-01 or an RFC 3339 date-time';

/** The OpenAPI schema of one query parameter: what parseQuery accepts for its kind. */
export function queryParameterSchema(kind: QueryKind | readonly string[], limits: QueryLimits = {}): Record<string, unknown> {
  if (Array.isArray(kind)) return { type: 'string', enum: [...kind] };
  switch (kind as QueryKind) {
    case 'business-time':
    case 'recorded-time':
      return { type: 'string', format: 'business-time', maxLength: 64 };
    case 'limit':
      return { type: 'integer', minimum: 1, maximum: limits.maxLimit ?? 1000, default: limits.defaultLimit ?? 50 };
    case 'integer':
      return { type: 'integer', minimum: 0 };
    case 'slug':
      return { type: 'string', pattern: SLUG_PATTERN };
    case 'actor':
      return { type: 'string', pattern: ACTOR_PATTERN };
    case 'text':
    case 'cursor':
    case 'position':
      return { ...TEXT };
  }
}

const DEFAULT_DESCRIPTIONS: Partial<Record<QueryKind, string>> = {
  'business-time': BUSINESS_TIME,
  'recorded-time': 'Recorded time: as the store knew it then (RFC 3339, or a date as in business time)',
  cursor: 'nextCursor of the previous page',
};

/**
 * Declares a route's query parameters in the OpenAPI document from the same spec parseQuery
 * checks them with, so the document cannot drift from what the route accepts. `docs` adds a
 * description, or narrows a schema (an enum the route checks after parsing).
 */
export function ApiQueryParams(
  spec: QuerySpec,
  limits: QueryLimits = {},
  docs: Record<string, string | { description?: string; schema: Record<string, unknown> }> = {},
): MethodDecorator {
  return applyDecorators(
    ...Object.entries(spec).map(([name, kind]) => {
      const doc = docs[name];
      const extra = typeof doc === 'object' ? doc : { description: doc };
      const description = extra.description ?? (Array.isArray(kind) ? undefined : DEFAULT_DESCRIPTIONS[kind as QueryKind]);
      const schema = { ...queryParameterSchema(kind, limits), ...('schema' in extra ? extra.schema : {}) };
      return ApiQuery({ name, required: false, description, schema });
    }),
  );
}
