/** Configuration of the Kafka relay, checked up front so a mistake reads as one clear sentence. */

export class KafkaConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaConfigError';
  }
}

export const EVENTS_TOPIC = 'agreements.events.v1';
export const STATUS_TOPIC = 'agreements.status.v1';
/** The ledger's signed tree heads (key `head`), published by the API process's head signer, not by the relay. */
export const LEDGER_TOPIC = 'agreements.ledger.v1';
export const DEFAULT_CE_SOURCE = '/agreements';
export const DEFAULT_PARTITIONS = 6;
export const DEFAULT_CLIENT_ID = 'agreements-relay';

export interface TopicNames {
  events: string;
  status: string;
}

// Kafka's own rule for topic names: these characters, at most 249 of them.
const TOPIC_CHARS = /^[a-zA-Z0-9._-]*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const IPV6 = /^\[[0-9a-fA-F:.]+\]$/;

/**
 * `KAFKA_BROKERS`: a comma-separated list of host:port ("127.0.0.1:9092,kafka-2:9092"), or the
 * list already split. Throws KafkaConfigError naming the entry that is wrong.
 */
export function parseKafkaBrokers(value: string | readonly string[] | undefined, name = 'KAFKA_BROKERS'): string[] {
  const example = `${name} must be a comma-separated list of host:port, such as 127.0.0.1:9092`;
  if (value === undefined) throw new KafkaConfigError(`${name} is not set: ${example}`);
  const entries = (typeof value === 'string' ? value.split(',') : [...value]).map((entry) => String(entry).trim());
  if (entries.every((entry) => entry === '')) throw new KafkaConfigError(`${name} is empty: ${example}`);
  return entries.map((entry) => {
    if (entry === '') throw new KafkaConfigError(`${example}; got "${String(value)}" (an empty entry)`);
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) throw new KafkaConfigError(`${example}; "${entry}" has no port`);
    const host = entry.slice(0, colon);
    const port = entry.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw new KafkaConfigError(`${example}; "${entry}" has an invalid port "${port}" (1 to 65535)`);
    }
    if (host.includes('://')) throw new KafkaConfigError(`${example}; "${entry}" has a scheme: leave out "${host.split('://')[0]}://"`);
    if (!HOST.test(host) && !IPV6.test(host)) throw new KafkaConfigError(`${example}; "${entry}" has an invalid host "${host}"`);
    return `${host}:${Number(port)}`;
  });
}

/** `KAFKA_TOPIC_PREFIX` is put in front of both topic names as is (say "staging." or "dev-"). */
export function topicNames(prefix = ''): TopicNames {
  if (!TOPIC_CHARS.test(prefix)) {
    throw new KafkaConfigError(
      `KAFKA_TOPIC_PREFIX may only hold letters, digits, ".", "_" and "-" (Kafka's topic name rule), got "${prefix}"`,
    );
  }
  const names = { events: `${prefix}${EVENTS_TOPIC}`, status: `${prefix}${STATUS_TOPIC}` };
  if (names.events.length > 249) throw new KafkaConfigError(`KAFKA_TOPIC_PREFIX is too long: topic names have at most 249 characters`);
  return names;
}

export function checkPartitions(partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
    throw new KafkaConfigError(`KAFKA_PARTITIONS must be a whole number from 1 to 10000, got ${String(partitions)}`);
  }
  return partitions;
}

/** The CloudEvents source: a URI reference, e.g. "/agreements" or "https://agreements.example.org". */
export function checkSource(source: string): string {
  if (source.length === 0 || /\s/.test(source)) {
    throw new KafkaConfigError(`the CloudEvents source must be a non-empty URI reference without spaces, got "${source}"`);
  }
  return source;
}
