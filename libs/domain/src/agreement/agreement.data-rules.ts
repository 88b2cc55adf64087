import type { FieldError } from '../shared/domain-error';

/** Cross-field rules of event data a JSON schema does not express. */
export function agreementCrossFieldProblems(
  type: string,
  data: Record<string, unknown>,
  prefix = 'data',
): FieldError[] {
  if (type === 'TermSet' || type === 'SetTerm') {
    const hasDuration = data.duration !== undefined;
    const hasUntil = data.until !== undefined;
    if (hasDuration === hasUntil) {
      return [
        {
          field: `${prefix}.duration`,
          message: hasDuration ? 'and until cannot both be given: give one' : 'or until is required',
        },
      ];
    }
  }
  return [];
}
