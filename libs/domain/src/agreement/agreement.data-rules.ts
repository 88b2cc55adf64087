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
    if (!hasDuration && data.from !== undefined) {
      return [{ field: `${prefix}.from`, message: 'is the start of a duration: give it with duration, not with until' }];
    }
    if (type === 'TermSet') return termStartProblems(data, prefix);
  }
  return [];
}

/** TermSet v2: a duration says what it counts from, and `from` is there exactly when that is a given date. */
function termStartProblems(data: Record<string, unknown>, prefix: string): FieldError[] {
  const hasDuration = data.duration !== undefined;
  if (hasDuration && data.countedFrom === undefined) {
    return [{ field: `${prefix}.countedFrom`, message: 'is required with duration (entry-into-force or given-date)' }];
  }
  if (!hasDuration && data.countedFrom !== undefined) {
    return [{ field: `${prefix}.countedFrom`, message: 'goes with duration only: remove it (null) with the duration' }];
  }
  if ((data.countedFrom === 'given-date') !== (data.from !== undefined)) {
    return [{ field: `${prefix}.from`, message: 'is given exactly when countedFrom is given-date' }];
  }
  return [];
}
