import type { EventStore } from '@agreements/event-store';
import { openRelayCheckpointStore, Relay, type RelayLogger } from '@agreements/messaging';
import type { AppConfig } from '../config/config';
import type { BackgroundService } from './background-service';

/**
 * The Kafka relay with its checkpoint store (PostgreSQL when DATABASE_URL is set, else
 * DATA_DIR/relay.sqlite), started. It never throws for an unreachable broker: it retries and
 * reports itself degraded.
 */
export async function openRelay(
  config: AppConfig,
  eventStore: EventStore,
  /** The relay's own lines (a child logger, or a worker thread's messages to the API's logger). */
  logger: RelayLogger,
  options: { stopTimeoutMs?: number } = {},
): Promise<BackgroundService & { relay: Relay; description: string }> {
  if (!config.kafkaBrokers) throw new Error('openRelay needs KAFKA_BROKERS');
  const checkpointStore = await openRelayCheckpointStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.databaseUrl ? config.databaseSchema : undefined,
  });
  const relay = new Relay({
    eventStore,
    brokers: config.kafkaBrokers,
    topicPrefix: config.kafkaTopicPrefix,
    partitions: config.kafkaPartitions,
    clientId: config.kafkaClientId,
    source: config.kafkaSource,
    checkpointStore,
    logger,
    stopTimeoutMs: options.stopTimeoutMs,
  });
  await relay.start();
  return {
    name: 'relay',
    relay,
    description: checkpointStore.description,
    async stop() {
      await relay.stop();
      await checkpointStore.close();
    },
  };
}
