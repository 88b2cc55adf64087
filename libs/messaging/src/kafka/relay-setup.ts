import type { Kafka } from 'kafkajs';
import {
  checkPartitions,
  checkSource,
  DEFAULT_CE_SOURCE,
  DEFAULT_CLIENT_ID,
  DEFAULT_PARTITIONS,
  KafkaConfigError,
  parseKafkaBrokers,
  type TopicNames,
  topicNames,
} from './config';
import { EventPublisher } from './event-publisher';
import { DEFAULT_MAX_REQUEST_BYTES } from './produce-requests';
import { createKafkaClient } from './kafka-client';
import type { RelayOptions } from './relay-options';

/** A relay's configuration checked: either a client and publisher to use, or why there are none. */
export type RelaySetup =
  | { relayName: string; brokers: string[]; topics: TopicNames; kafka: Kafka; publisher: EventPublisher; configError: null }
  | { relayName: string; brokers: string[]; topics: TopicNames | null; kafka?: undefined; publisher?: undefined; configError: string };

/**
 * Checks the brokers, topic prefix, partitions and source. A bad value is not thrown: it is the
 * configError that keeps the relay degraded (status() and one log line say why).
 */
export function setUpRelay(options: RelayOptions): RelaySetup {
  let brokers: string[] = [];
  let topics: TopicNames | null = null;
  try {
    brokers = parseKafkaBrokers(options.brokers);
    topics = topicNames(options.topicPrefix ?? '');
    const partitions = checkPartitions(options.partitions ?? DEFAULT_PARTITIONS);
    const source = checkSource(options.source ?? DEFAULT_CE_SOURCE);
    const kafka = createKafkaClient({ brokers, clientId: options.clientId ?? DEFAULT_CLIENT_ID, logger: options.logger });
    const publisher = new EventPublisher({
      kafka,
      eventStore: options.eventStore,
      topics,
      source,
      partitions,
      replicationFactor: options.replicationFactor,
      statusCacheSize: options.statusCacheSize,
      maxRequestBytes: Math.max(options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES, 64 * 1024),
      statusThread: options.statusThread ?? true,
      logger: options.logger,
    });
    return { relayName: relayNameOf(options, topics), brokers, topics, kafka, publisher, configError: null };
  } catch (error) {
    if (!(error instanceof KafkaConfigError)) throw error;
    return { relayName: relayNameOf(options, topics), brokers, topics, configError: error.message };
  }
}

function relayNameOf(options: RelayOptions, topics: TopicNames | null): string {
  return options.relayName ?? `kafka:${topics?.events ?? 'agreements.events.v1'}`;
}
