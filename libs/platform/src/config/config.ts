import { resolve } from 'node:path';

/** Everything the processes read from the environment, in one place (the README lists it). */
export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  /** `name:role:token,...`; undefined = generate credentials in DATA_DIR. */
  apiKeys?: string;
  /** PostgreSQL read models when set; SQLite in DATA_DIR otherwise. */
  databaseUrl?: string;
  /** The PostgreSQL schema of the read models (one database can hold several environments). */
  databaseSchema: string;
  /** EventStoreDB when set; the embedded SQLite store otherwise. */
  eventStoreConnectionString?: string;
  /** The Kafka relay runs when set. */
  kafkaBrokers?: string;
  kafkaTopicPrefix: string;
  /** CloudEvents `ce_source` of published events. */
  kafkaSource?: string;
  kafkaClientId?: string;
  kafkaPartitions: number;
  logLevel: string;
  /** Run the projector inside this process (npm start does). */
  runProjector: boolean;
  /** ... on a worker thread of its own (default), so it does not share the API's event loop. */
  projectorThread: boolean;
  /** Run the Kafka relay inside this process when Kafka is configured. */
  runRelay: boolean;
}

export class ConfigError extends Error {}

function intFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

function schemaName(raw: string | undefined): string {
  const value = blankToUndefined(raw) ?? 'read_models';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) {
    throw new ConfigError(`DATABASE_SCHEMA must be a lower-case SQL identifier (a-z, 0-9, _), got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    port: intFrom(env, 'PORT', 3000, 0, 65535),
    host: blankToUndefined(env.HOST) ?? '127.0.0.1',
    dataDir: resolve(blankToUndefined(env.DATA_DIR) ?? './data'),
    apiKeys: blankToUndefined(env.API_KEYS),
    databaseUrl: blankToUndefined(env.DATABASE_URL),
    databaseSchema: schemaName(env.DATABASE_SCHEMA),
    eventStoreConnectionString: blankToUndefined(env.EVENTSTORE_CONNECTION_STRING),
    kafkaBrokers: blankToUndefined(env.KAFKA_BROKERS),
    kafkaTopicPrefix: env.KAFKA_TOPIC_PREFIX ?? '',
    kafkaSource: blankToUndefined(env.KAFKA_CE_SOURCE),
    kafkaClientId: blankToUndefined(env.KAFKA_CLIENT_ID),
    kafkaPartitions: intFrom(env, 'KAFKA_PARTITIONS', 6, 1, 1000),
    logLevel: blankToUndefined(env.LOG_LEVEL) ?? 'info',
    runProjector: flag(env, 'RUN_PROJECTOR', true),
    projectorThread: flag(env, 'PROJECTOR_THREAD', true),
    runRelay: flag(env, 'RUN_RELAY', true),
  };
}
