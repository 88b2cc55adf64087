export interface FieldError {
  field: string;
  message: string;
}

/**
 * A command refused by the domain. `code` is stable (clients switch on it); `message` is a
 * sentence naming the rule; `httpStatus` is a hint for the single exception filter of the API.
 * `details` is an object for rule violations and a FieldError[] for VALIDATION_FAILED, the shape
 * the API uses for its own schema errors.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly httpStatus: 400 | 404 | 422 = 422,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toJSON(): { code: string; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/**
 * Input that schema validation should have caught (a bad date, both duration and until): the
 * decider re-checks what it relies on so callers other than the API (CLI import, tests) are safe.
 */
export function validationFailed(errors: FieldError[]): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    `The command is not valid: ${errors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
    errors,
    400,
  );
}
