import type { Producer } from 'kafkajs';
import { KafkaConfigError, LEDGER_TOPIC } from './config';
import { createKafkaClient, type RelayLogger } from './kafka-client';

/** A signed tree head as published: the ledger's own type, kept structural so this lib need not import the ledger. */
export interface PublishedTreeHead {
  treeSize: number;
  rootHash: string;
  timestamp: string;
  keyId: string;
  signature: string;
}

export interface LedgerHeadPublisherOptions {
  brokers: string[];
  topicPrefix?: string;
  clientId?: string;
  logger: RelayLogger;
}

/** Every head is kept: the topic is one partition (heads in order) and never expires or compacts. */
const TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: '-1' },
];

/**
 * Publishes each signed tree head to `agreements.ledger.v1` (key `head`, value the head's JSON),
 * so copies of every head live outside the server. One small producer of its own, connected on
 * first use; a failure rejects publish() and the next head is tried afresh.
 */
export class LedgerHeadPublisher {
  readonly topic: string;
  private producer: Producer | undefined;
  private topicReady = false;

  constructor(private readonly options: LedgerHeadPublisherOptions) {
    const prefix = options.topicPrefix ?? '';
    if (!/^[a-zA-Z0-9._-]*$/.test(prefix)) throw new KafkaConfigError(`KAFKA_TOPIC_PREFIX may only hold letters, digits, ".", "_" and "-", got "${prefix}"`);
    this.topic = `${prefix}${LEDGER_TOPIC}`;
  }

  async publish(head: PublishedTreeHead): Promise<void> {
    const kafka = createKafkaClient({
      brokers: this.options.brokers,
      clientId: this.options.clientId ?? 'agreements-ledger',
      logger: this.options.logger,
    });
    try {
      if (!this.topicReady) {
        const admin = kafka.admin();
        await admin.connect();
        try {
          if (!(await admin.listTopics()).includes(this.topic)) {
            await admin.createTopics({ waitForLeaders: true, topics: [{ topic: this.topic, numPartitions: 1, configEntries: TOPIC_CONFIG }] });
          }
        } finally {
          await admin.disconnect();
        }
        this.topicReady = true;
      }
      if (!this.producer) {
        const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
        await producer.connect();
        this.producer = producer;
      }
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: [
          {
            key: 'head',
            value: JSON.stringify(head),
            headers: { 'content-type': 'application/json' },
          },
        ],
      });
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}
