/** Injection tokens for the ports the API depends on. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const APP_CONFIG = Symbol('APP_CONFIG');
export const READ_MODELS = Symbol('READ_MODELS');
