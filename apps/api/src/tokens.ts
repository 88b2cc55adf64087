/** Injection token of the read-model queries the API answers from (the event store's is the application's EVENT_STORE). */
export const READ_MODELS = Symbol('READ_MODELS');
/** Injection token of the reader of the relay's delivery record. */
export const DELIVERIES = Symbol('DELIVERIES');

/** Injection token of the ledger (undefined when this process does not keep it). */
export const LEDGER = Symbol('LEDGER');
