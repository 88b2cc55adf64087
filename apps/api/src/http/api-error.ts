import { Refusal } from '@agreements/application';

/** A refusal raised by the HTTP layer itself (authentication, media type, not found). */
export class ApiError extends Refusal {
  constructor(status: number, code: string, message: string, details?: unknown, headers: Record<string, string> = {}) {
    super(status, code, message, details, headers);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}
