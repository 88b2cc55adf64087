/** A question the ledger cannot answer as asked: the HTTP layer turns it into the contract's error shape. */
export class LedgerQueryError extends Error {
  constructor(
    readonly status: 400 | 404,
    readonly code: 'VALIDATION_FAILED' | 'EVENT_NOT_FOUND',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LedgerQueryError';
  }
}
