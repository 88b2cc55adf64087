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

export const validationFailed = (details: FieldError[], message?: string) =>
  new Refusal(
    400,
    'VALIDATION_FAILED',
    message ?? `The request is not valid: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
    details,
  );
