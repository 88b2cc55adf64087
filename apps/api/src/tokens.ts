/** Injection token of the read-model queries the API answers from (the event store's is the application's EVENT_STORE). */
export const READ_MODELS = Symbol('READ_MODELS');
