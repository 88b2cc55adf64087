import { type Admin, ConfigResourceTypes } from 'kafkajs';
import type { TopicNames } from './config';
import type { RelayLogger } from './kafka-client';

export interface EnsureTopicsOptions {
  topics: TopicNames;
  partitions: number;
  /** Default: the number of brokers, at most 3. */
  replicationFactor?: number;
  logger: RelayLogger;
}

/**
 * Creates the two topics when they do not exist: the events topic with the default cleanup
 * (delete; retention is the operators' call), the status topic compacted, so that it keeps the
 * latest summary of every agreement. Existing topics are left as they are, with a warning when
 * they differ from what the contract expects.
 */
export async function ensureTopics(admin: Admin, options: EnsureTopicsOptions): Promise<void> {
  const { topics, partitions, logger } = options;
  const existing = new Set(await admin.listTopics());
  const wanted = [
    { topic: topics.events, configEntries: [] as Array<{ name: string; value: string }> },
    { topic: topics.status, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
  ];
  const missing = wanted.filter((topic) => !existing.has(topic.topic));
  if (missing.length > 0) {
    const replicationFactor = options.replicationFactor ?? Math.min(3, Math.max(1, (await admin.describeCluster()).brokers.length));
    // false when another relay created them in the meantime: that is just as good.
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map(({ topic, configEntries }) => ({ topic, numPartitions: partitions, replicationFactor, configEntries })),
    });
    logger.info(
      { topics: missing.map((t) => t.topic), partitions, replicationFactor },
      `relay: created the Kafka topics ${missing.map((t) => t.topic).join(' and ')} (${partitions} partitions)`,
    );
  }
  const present = wanted.filter((topic) => existing.has(topic.topic)).map((t) => t.topic);
  if (present.length === 0) return;
  const metadata = await admin.fetchTopicMetadata({ topics: present });
  for (const topic of metadata.topics) {
    if (topic.partitions.length !== partitions) {
      logger.warn(
        { topic: topic.name, partitions: topic.partitions.length, configured: partitions },
        `relay: topic ${topic.name} has ${topic.partitions.length} partitions, not the configured ${partitions}; it is used as it is`,
      );
    }
  }
  if (existing.has(topics.status)) {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.status, configNames: ['cleanup.policy'] }],
    });
    const policy = described.resources[0]?.configEntries.find((entry) => entry.configName === 'cleanup.policy')?.configValue;
    if (policy !== undefined && !policy.split(',').includes('compact')) {
      logger.warn(
        { topic: topics.status, cleanupPolicy: policy },
        `relay: topic ${topics.status} has cleanup.policy=${policy}; it should be compact so that it keeps the latest summary of every agreement`,
      );
    }
  }
}
