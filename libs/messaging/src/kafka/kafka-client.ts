import { Kafka, logLevel, type LogEntry } from 'kafkajs';

/** What the relay needs of a logger; a pino logger fits. */
export interface RelayLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export const silentLogger: RelayLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  logger: RelayLogger;
  /** How long to wait for a TCP connection to a broker. Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** How long to wait for a broker's answer. Default 30000 ms. */
  requestTimeoutMs?: number;
}

/**
 * A kafkajs client whose own log lines go to the logger at debug level: kafkajs logs every
 * connection attempt at ERROR while a broker is away, and the relay says what matters itself
 * (once per failure, with what it does next).
 */
export function createKafkaClient(options: KafkaClientOptions): Kafka {
  const { logger } = options;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    // Few, short retries inside kafkajs: the relay retries a failed batch itself, with its own
    // backoff and a fresh producer, and reports the outage meanwhile.
    retry: { initialRetryTime: 250, maxRetryTime: 2000, retries: 4 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ namespace, level, log }: LogEntry) => {
        const { message, timestamp: _timestamp, logger: _logger, ...rest } = log;
        logger.debug?.({ kafkajs: namespace, level: logLevel[level], ...rest }, `kafkajs: ${message}`);
      },
  });
}

/** The message of an error, with its cause when kafkajs wraps one ("connect ECONNREFUSED ..."). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [error.message];
  let cause: unknown = (error as { cause?: unknown; originalError?: unknown }).originalError ?? (error as { cause?: unknown }).cause;
  for (let depth = 0; cause instanceof Error && depth < 3; depth += 1) {
    if (!parts.includes(cause.message)) parts.push(cause.message);
    cause = (cause as { originalError?: unknown }).originalError ?? (cause as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}
