import type { EventStore, RecordedEvent } from '@agreements/event-store';
import { CompressionTypes, type ICustomPartitioner, type Kafka, Partitioners, type Producer } from 'kafkajs';
import { AgreementStatusFolder } from '../contracts/agreement-status-folder';
import { StatusThread } from '../contracts/status-thread';
import { eventMessage, type OutgoingMessage } from '../contracts/cloud-events';
import type { EventDelivery } from '../checkpoints/event-delivery';
import type { TopicNames } from './config';
import { locateMessages, type MessageLocation, PartitionChoices } from './delivery-offsets';
import type { RelayLogger } from './kafka-client';
import { DEFAULT_MAX_REQUEST_BYTES, produceRequests, type TopicMessages } from './produce-requests';
import { ensureTopics } from './topics';

export interface EventPublisherOptions {
  kafka: Kafka;
  eventStore: EventStore;
  topics: TopicNames;
  source: string;
  partitions: number;
  replicationFactor?: number;
  /** Agreements whose folded state is kept between batches. Default 5000. */
  statusCacheSize?: number;
  /** Most bytes (values and headers, roughly) in one produce request; larger batches are split. Default 768 KiB. */
  maxRequestBytes?: number;
  /**
   * Fold the status summaries on a thread of their own when the event store is a SQLite file (the
   * thread reads the log itself). Default false; the relay turns it on.
   */
  statusThread?: boolean;
  logger: RelayLogger;
}

export interface PublishedBatch {
  events: number;
  statuses: number;
  /** Where each event landed once acknowledged, in the order of the events (empty for an empty batch). */
  deliveries: EventDelivery[];
}

/** Keys (topic and stream) whose partition is remembered: the streams published lately, not all of them. */
const PARTITION_CACHE_SIZE = 10_000;

/**
 * kafkajs' default (Java-compatible murmur2) partitioner, remembering the partition of each key:
 * a stream's events all hash the same, and hashing every message was a noticeable part of the
 * relay's CPU time. One cache per topic, emptied when the topic's partition count changes, so
 * adding partitions changes the answer exactly as it does without the cache (a cache key joined
 * from topic, count and key cost about as much as the hash it saved).
 */
export const memoizedDefaultPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner();
  const caches = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) return partitioner(args);
    let cache = caches.get(topic);
    if (cache === undefined || cache.partitions !== partitionMetadata.length) {
      cache = { partitions: partitionMetadata.length, byKey: new Map() };
      caches.set(topic, cache);
    }
    // Buffers are compared by identity in a Map: only string keys (the relay's) are remembered.
    if (typeof message.key !== 'string') return partitioner(args);
    let partition = cache.byKey.get(message.key);
    if (partition === undefined) {
      partition = partitioner(args);
      if (cache.byKey.size >= PARTITION_CACHE_SIZE) cache.byKey.clear();
      cache.byKey.set(message.key, partition);
    }
    return partition;
  };
};

/**
 * The producing half shared by the live relay and republish: an idempotent producer (one request
 * in flight, so a retried request can never overtake the next one: per-partition order holds),
 * the topics, and the status summaries. After an error the caller resets it, so the next attempt
 * starts with a fresh producer id rather than with sequence numbers the broker may not accept.
 */
export class EventPublisher {
  private producer: Producer | undefined;
  private topicsReady = false;
  readonly statusFolder: AgreementStatusFolder;
  private readonly maxRequestBytes: number;
  private statusThread: StatusThread | undefined;
  private readonly partitionChoices = new PartitionChoices();

  constructor(private readonly options: EventPublisherOptions) {
    this.statusFolder = new AgreementStatusFolder(options.eventStore, options.statusCacheSize);
    this.maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  }

  get topics(): TopicNames {
    return this.options.topics;
  }

  async connect(): Promise<void> {
    if (!this.topicsReady) {
      const admin = this.options.kafka.admin();
      try {
        await admin.connect();
        await ensureTopics(admin, {
          topics: this.options.topics,
          partitions: this.options.partitions,
          replicationFactor: this.options.replicationFactor,
          logger: this.options.logger,
        });
        this.topicsReady = true;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    if (this.producer) return;
    const producer = this.options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: this.partitionChoices.wrap(memoizedDefaultPartitioner),
      allowAutoTopicCreation: false,
      // kafkajs insists that an idempotent producer may retry; few retries, the relay retries the batch.
      retry: { initialRetryTime: 250, maxRetryTime: 2000, retries: 4 },
    });
    try {
      await producer.connect();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
    this.producer = producer;
  }

  /** The messages for the events topic, in order. */
  eventMessages(events: readonly RecordedEvent[]): OutgoingMessage[] {
    return events.map((event) => eventMessage(event, this.options.source));
  }

  /**
   * The status messages of a batch (one per agreement it touches, for its state after the batch),
   * folded on the status thread when there is one. Batches must be asked for in log order.
   */
  statusMessages(events: readonly RecordedEvent[]): Promise<OutgoingMessage[]> {
    if (events.length === 0) return Promise.resolve([]);
    const log = this.options.statusThread ? this.options.eventStore.fastLog?.handle : undefined;
    if (log === undefined) return this.statusFolder.statusMessages(events);
    if (!this.statusThread || this.statusThread.failed) {
      void this.statusThread?.close();
      this.statusThread = StatusThread.start({ log, cacheSize: this.options.statusCacheSize ?? 5000 });
    }
    return this.statusThread.statusMessages(events);
  }

  /**
   * Publishes the events (and the new summary of every agreement they touch) and resolves once
   * the broker acknowledged all of them (acks from all in-sync replicas). Events of one stream go
   * to one partition in revision order; the status of an agreement follows its events.
   * `statuses`: the batch's status messages when the caller asked for them already.
   */
  async publish(
    events: readonly RecordedEvent[],
    prepared?: OutgoingMessage[],
    withStatus = true,
    statuses?: Promise<OutgoingMessage[]>,
  ): Promise<PublishedBatch> {
    if (events.length === 0) return { events: 0, statuses: 0, deliveries: [] };
    const eventMessages = prepared ?? this.eventMessages(events);
    const statusMessages = withStatus ? await (statuses ?? this.statusMessages(events)) : [];
    const located: Array<MessageLocation & { publishedAt: string }> = [];
    await this.send(
      [
        { topic: this.options.topics.events, messages: eventMessages },
        { topic: this.options.topics.status, messages: statusMessages },
      ],
      located,
    );
    if (located.length !== events.length) throw new Error(`located ${located.length} of the ${events.length} event messages the broker acknowledged`);
    const deliveries = events.map((event, i) => ({ eventId: event.eventId, position: event.position, ...located[i] }));
    return { events: eventMessages.length, statuses: statusMessages.length, deliveries };
  }

  /** Status messages only (republish's final refresh). */
  async publishStatus(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length > 0) await this.send([{ topic: this.options.topics.status, messages }]);
  }

  /**
   * `located`, when given, receives where each message of the first topic landed, in order, with
   * the time its request was acknowledged.
   */
  private async send(topicMessages: TopicMessages[], located?: Array<MessageLocation & { publishedAt: string }>): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('the Kafka producer is not connected');
    const tracked = topicMessages[0]?.topic;
    // Usually one request; a batch larger than the broker would take is sent in slices, in order.
    for (const request of produceRequests(topicMessages, this.maxRequestBytes)) {
      const metadata = await producer.sendBatch({ topicMessages: request, acks: -1, compression: CompressionTypes.None });
      if (!located) continue;
      const publishedAt = new Date().toISOString();
      for (const { topic, messages } of request) {
        if (topic !== tracked) continue;
        for (const location of locateMessages(topic, messages, metadata, this.partitionChoices)) located.push({ ...location, publishedAt });
      }
    }
  }

  /** Drops the producer after an error; the next connect() makes a new one. */
  async reset(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await producer.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.reset();
    const thread = this.statusThread;
    this.statusThread = undefined;
    await thread?.close();
  }
}
