import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EventStore } from '@agreements/event-store';
import { LedgerService, loadSigningKey, SqliteLedgerStore } from '@agreements/ledger';
import { LedgerHeadPublisher, parseKafkaBrokers } from '@agreements/messaging';
import type { AppConfig } from '../config/config';
import type { BackgroundService } from './background-service';
import { startLedgerThread } from '../ledger-thread/ledger-thread';

/** Where the ledger lives: beside the event log when it is embedded, and in DATA_DIR with EventStoreDB and PostgreSQL too (docs/auditing.md). */
export const ledgerFile = (config: AppConfig): string => join(config.dataDir, 'ledger.sqlite');

/**
 * The ledger of a process: its SQLite store, the signing key, and, when asked to keep it, the
 * keeper and the head signer running (heads published to Kafka when KAFKA_BROKERS is set).
 */
export async function openLedger(
  config: AppConfig,
  eventStore: EventStore,
  logger: Logger,
  options: { keep: boolean },
): Promise<BackgroundService & { ledger: LedgerService }> {
  const store = SqliteLedgerStore.open(ledgerFile(config));
  const key = loadSigningKey({ dataDir: config.dataDir, keyFile: config.ledgerKeyFile });
  const publisher = config.kafkaBrokers
    ? new LedgerHeadPublisher({
        brokers: parseKafkaBrokers(config.kafkaBrokers),
        topicPrefix: config.kafkaTopicPrefix,
        logger: logger.child({ component: 'ledger' }),
      })
    : undefined;
  // The embedded store's events are hashed on a thread of their own (built code only, as the
  // projector's thread); EventStoreDB's are few and slow to come: this thread follows them.
  const keeper =
    options.keep && !config.eventStoreConnectionString && config.ledgerThread
      ? await startLedgerThread(config, ledgerFile(config), logger)
      : undefined;
  const ledger = new LedgerService({
    keeper,
    eventStore,
    store,
    key,
    headIntervalMs: config.ledgerHeadIntervalMs,
    onHead: publisher ? (head) => publisher.publish(head) : undefined,
    onError: (err, what) => logger.error({ err }, what),
  });
  if (options.keep) ledger.start();
  return {
    name: 'ledger',
    ledger,
    async stop() {
      await ledger.stop();
      await publisher?.close();
      store.close();
    },
  };
}
