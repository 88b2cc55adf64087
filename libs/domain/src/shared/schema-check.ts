import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FieldError } from './domain-error';
import { registerTypeboxExtensions } from './schemas';

/** JSON pointer (/parties/0/id) to the field notation clients read (parties[0].id), under a prefix. */
function fieldOf(prefix: string, pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part), prefix);
}

/** The ways a value breaks a schema of this domain (checked with TypeBox, so no validator is needed here). */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ''): FieldError[] {
  registerTypeboxExtensions();
  const problems: FieldError[] = [];
  for (const error of Value.Errors(schema, value)) {
    problems.push({ field: fieldOf(prefix, error.path) || prefix || 'data', message: error.message });
  }
  return problems;
}
