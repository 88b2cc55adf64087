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
  relayThread: boolean;
  /** HTTP limits and timeouts (issue 11: hostile and abusive clients). */
  http: HttpLimits;
  /** Keep the ledger (tree and signed heads, DATA_DIR/ledger.sqlite) in this process (the API does). */
  runLedger: boolean;
  /** The Ed25519 head-signing key (PKCS#8 PEM); undefined: DATA_DIR/ledger-key.pem, generated on first start. */
  ledgerKeyFile?: string;
  /** A head is signed at most this often, when the log has grown. */
  ledgerHeadIntervalMs: number;
  /** Keep the embedded store's ledger on a worker thread of its own (default), off the API's event loop. */
  ledgerThread: boolean;
}

export interface HttpLimits {
  /** A whole request (headers and body) must arrive within this (408 after it); 0: no limit. */
  requestTimeoutMs: number;
  /** The request's headers must arrive within this; at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** Failed authentications from one address within the window before it is refused (429) for the rest of it. */
  authFailureLimit: number;
  authFailureWindowMs: number;
  /** Commands and queries per token within the window (429 beyond); 0: no limit. */
  commandsPerWindow: number;
  queriesPerWindow: number;
  rateWindowMs: number;
  /** Origins allowed cross-origin access; empty: CORS off. */
  corsOrigins: string[];
  /** A second listener for /health/* and /metrics only, off the /v1 connections; undefined: none. */
  opsPort?: number;
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

/** Where an API process runs the Kafka relay: on a worker thread of its own (the default), on its main thread (RELAY_THREAD=false), or not at all (RUN_RELAY=false). */
export function relayPlacement(config: Pick<AppConfig, 'runRelay' | 'relayThread'>): boolean | 'thread' {
  if (!config.runRelay) return false;
  return config.relayThread ? 'thread' : true;
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
    relayThread: flag(env, 'RELAY_THREAD', true),
    http: httpLimits(env),
    runLedger: flag(env, 'RUN_LEDGER', true),
    ledgerKeyFile: blankToUndefined(env.LEDGER_KEY_FILE) === undefined ? undefined : resolve(env.LEDGER_KEY_FILE as string),
    ledgerHeadIntervalMs: intFrom(env, 'LEDGER_HEAD_INTERVAL_MS', 5000, 100, 86_400_000),
    ledgerThread: flag(env, 'LEDGER_THREAD', true),
  };
}

function httpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const requestTimeoutMs = intFrom(env, 'HTTP_REQUEST_TIMEOUT_MS', 30_000, 0, 3_600_000);
  const headersTimeoutMs = intFrom(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 3_600_000);
  const corsOrigins = (blankToUndefined(env.CORS_ORIGINS) ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CORS_ORIGINS entries must be origins such as https://console.example, got "${origin}"`);
    }
  }
  const opsPort = blankToUndefined(env.OPS_PORT) === undefined ? undefined : intFrom(env, 'OPS_PORT', 0, 0, 65535);
  return {
    requestTimeoutMs,
    headersTimeoutMs: requestTimeoutMs > 0 ? Math.min(headersTimeoutMs, requestTimeoutMs) : headersTimeoutMs,
    authFailureLimit: intFrom(env, 'AUTH_FAILURE_LIMIT', 20, 1, 1_000_000),
    authFailureWindowMs: intFrom(env, 'AUTH_FAILURE_WINDOW_MS', 60_000, 1000, 86_400_000),
    commandsPerWindow: intFrom(env, 'RATE_LIMIT_COMMANDS', 50_000, 0, 1_000_000_000),
    queriesPerWindow: intFrom(env, 'RATE_LIMIT_QUERIES', 50_000, 0, 1_000_000_000),
    rateWindowMs: intFrom(env, 'RATE_LIMIT_WINDOW_MS', 1000, 100, 86_400_000),
    corsOrigins,
    opsPort,
  };
}
