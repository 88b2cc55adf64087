/** An error answered in the contract's shape: `{ error: { code, message, details? } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface FieldError {
  field: string;
  message: string;
}

export const validationFailed = (details: FieldError[], message?: string) =>
  new ApiError(
    400,
    'VALIDATION_FAILED',
    message ?? `The request is not valid: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`,
    details,
  );

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
