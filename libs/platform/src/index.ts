// What every process of the product shares: configuration, logging, runtime wiring, shutdown,
// the operations endpoints (health, metrics) and the projector's thread.
export * from './config/config';
export * from './logging/logger';
export * from './logging/nest-logger';
export * from './logging/startup-failure';
export * from './process/supported-node';
export * from './process/start-process';
export * from './process/shutdown';
export * from './operations/health';
export * from './operations/metrics';
export * from './operations/observability';
export * from './operations/ops-server';
export * from './operations/ops-thread';
export * from './projector-thread/projector-thread';
export * from './relay-thread/relay-thread';
export * from './ledger-thread/ledger-thread';
export * from './ledger-thread/verify-ledger';
export * from './runtime/background-service';
export * from './runtime/event-store';
export * from './runtime/read-models';
export * from './runtime/relay';
export * from './runtime/ledger';
export * from './runtime/runtime';
export * from './runtime/data-dir-claim';
