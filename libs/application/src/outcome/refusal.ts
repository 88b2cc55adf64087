/**
 * A request refused, in the contract's terms: a code (`VALIDATION_FAILED`, `ALREADY_SIGNED`), a
 * message for a person, the HTTP status it answers, optional details and response headers. HTTP
 * sends it as `{ error: { code, message, details? } }`; the CLI prints it in its import report.
 */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/** At most this many problems are listed; the rest are counted, so an error stays small. */
export const MAX_DETAILS = 20;

/** The first MAX_DETAILS problems, then one entry counting the rest. */
export function capDetails(details: FieldError[]): FieldError[] {
  if (details.length <= MAX_DETAILS) return details;
  const rest = details.length - MAX_DETAILS;
  return [...details.slice(0, MAX_DETAILS), { field: 'body', message: `and ${rest} more problem${rest === 1 ? '' : 's'} not listed` }];
}

export const validationFailed = (details: FieldError[], message?: string) => {
  const listed = capDetails(details);
  return new Refusal(
    400,
    'VALIDATION_FAILED',
    message ?? `The request is not valid: ${listed.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
    listed,
  );
};
