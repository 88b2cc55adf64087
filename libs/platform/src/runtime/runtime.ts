import type { Logger } from 'pino';
import type { EventStore } from '@agreements/event-store';
import { type DeliveryReader, openDeliveryReader } from '@agreements/messaging';
import type { LedgerService } from '@agreements/ledger';
import { Projector, ReadModelQueries, ReadModelStore } from '@agreements/read-models';
import type { AppConfig } from '../config/config';
import { createLogger } from '../logging/logger';
import { HealthRegistry } from '../operations/health';
import { Metrics } from '../operations/metrics';
import {
  registerEventStoreHealth,
  registerProjectorHealth,
  registerReadModelObservability,
  registerRelayObservability,
} from '../operations/observability';
import { startProjectorThread } from '../projector-thread/projector-thread';
import { startRelayThread } from '../relay-thread/relay-thread';
import type { BackgroundService } from './background-service';
import { secureDataDir, secureDataFiles } from './data-dir-modes';
import { openEventStore } from './event-store';
import { openLedger } from './ledger';
import { openReadModels } from './read-models';
import { openRelay } from './relay';

/** Everything a process of this product runs on, built from the configuration in one place. */
export interface Runtime {
  config: AppConfig;
  logger: Logger;
  eventStore: EventStore;
  readModels: ReadModelQueries;
  readModelStore: ReadModelStore;
  /** Where the relay recorded each event's deliveries (wherever it runs: this process or apps/relay). */
  deliveries: DeliveryReader;
  metrics: Metrics;
  health: HealthRegistry;
  background: BackgroundService[];
  /** The ledger (tree, heads, proofs) when this process keeps it. */
  ledger?: LedgerService;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Which process this is, for the logs: api, projector, relay, cli. */
  role: string;
  /** Run the projector: on this thread, on a worker thread of this process (built code only), or not. */
  projector: boolean | 'thread';
  /** Run the Kafka relay (when KAFKA_BROKERS is set): on this thread, on a worker thread of this process, or not. */
  relay: boolean | 'thread';
  /** Keep the ledger in this process (the API does, unless RUN_LEDGER=false). */
  ledger?: boolean;
  logger?: Logger;
}

/**
 * Opens the event store and the read models, starts the projector and the relay where asked,
 * and registers their health checks and metrics. Closing stops them in reverse order.
 */
export async function createRuntime(config: AppConfig, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config, options.role);
  const metrics = new Metrics();
  const health = new HealthRegistry();
  secureDataDir(config.dataDir);
  const eventStore = await openEventStore(config, logger);
  const readModelStore = await openReadModels(config);
  secureDataFiles(config.dataDir);
  logger.info({ kind: config.databaseUrl ? 'postgresql' : 'sqlite' }, 'read models opened');
  const background: BackgroundService[] = [];

  registerEventStoreHealth(health, eventStore);
  registerReadModelObservability(eventStore, readModelStore, metrics, health);

  if (options.projector === 'thread') {
    const projector = await startProjectorThread(config, logger);
    background.push({ name: 'projector', stop: () => projector.stop() });
    registerProjectorHealth(projector, health);
    logger.info('projector running on its own thread of this process');
  } else if (options.projector) {
    const projector = new Projector(eventStore, readModelStore, {
      onError: (err) => logger.error({ err }, 'projector: batch failed; retrying with backoff'),
    });
    await projector.start();
    background.push({ name: 'projector', stop: () => projector.stop() });
    registerProjectorHealth(projector, health);
    logger.info('projector running in this process');
  }

  if (options.relay === 'thread' && config.kafkaBrokers) {
    const relay = await startRelayThread(config, logger);
    // `relay` beside the name, as openRelay's service has it: tests wait on relay.waitUntilCaughtUp.
    const service: BackgroundService & { relay: typeof relay } = { name: 'relay', relay, stop: () => relay.stop() };
    background.push(service);
    registerRelayObservability(relay, metrics, health);
    logger.info({ brokers: config.kafkaBrokers }, 'Kafka relay running on its own thread of this process');
  } else if (options.relay && config.kafkaBrokers) {
    const relay = await openRelay(config, eventStore, logger.child({ component: 'relay' }));
    background.push(relay);
    registerRelayObservability(relay.relay, metrics, health);
    logger.info({ brokers: config.kafkaBrokers }, 'Kafka relay running in this process');
  }
  let ledger: LedgerService | undefined;
  if (options.ledger && config.runLedger) {
    const opened = await openLedger(config, eventStore, logger, { keep: true });
    background.push(opened);
    ledger = opened.ledger;
    logger.info({ headIntervalMs: config.ledgerHeadIntervalMs }, 'ledger kept in this process');
  }
  // Again once the projector and the relay opened theirs (checkpoints, -wal and -shm files).
  secureDataFiles(config.dataDir);
  // Same place as the relay's checkpoint store (openRelay), whether or not the relay runs here.
  const deliveries = openDeliveryReader({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.databaseUrl ? config.databaseSchema : undefined,
  });

  let closed = false;
  return {
    config,
    logger,
    eventStore,
    readModels: readModelStore.queries,
    readModelStore,
    deliveries,
    metrics,
    health,
    background,
    ledger,
    async close() {
      if (closed) return;
      closed = true;
      for (const service of [...background].reverse()) {
        try {
          await service.stop();
        } catch (err) {
          logger.error({ err, service: service.name }, 'stopping failed');
        }
      }
      await deliveries.close().catch((err: unknown) => logger.error({ err }, 'closing the delivery reader failed'));
      await readModelStore.close();
      await eventStore.close();
    },
  };
}
