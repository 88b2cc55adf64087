// The command path shared by the HTTP API and the CLI: validate, prepare, record, and what a
// refused command means (code and status).
export * from './principal';
export * from './tokens';
export * from './outcome/refusal';
export * from './outcome/command-outcome';
export * from './commands/command-validation';
export * from './commands/stream-kinds';
export * from './commands/prepare-command';
export * from './commands/record-command';
export * from './command-path.module';
