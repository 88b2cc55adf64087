import pino, { Logger } from 'pino';
import type { EventStore } from '@agreements/event-store';
import { openRelayCheckpointStore, Relay, registerRelayMetrics, relayHealth } from '@agreements/messaging';
import { openReadModelStore, Projector, readModelLag, ReadModelQueries, ReadModelStore } from '@agreements/read-models';
import type { AppConfig } from '../config';
import { openEventStore } from './event-store';
import { ProjectorHandle, startProjectorThread } from './projector-thread';
import { LoadedCredentials, loadCredentials } from '../http/credentials';
import { HealthRegistry } from '../operations/health';
import { Metrics } from '../operations/metrics';

export { openEventStore };

/** A piece that runs in the background of a process (projector, relay) and must stop cleanly. */
export interface BackgroundService {
  name: string;
  stop(): Promise<void>;
}

/** Everything a process of this product runs on, built from the configuration in one place. */
export interface Runtime {
  config: AppConfig;
  logger: Logger;
  eventStore: EventStore;
  readModels: ReadModelQueries;
  readModelStore: ReadModelStore;
  credentials: LoadedCredentials;
  metrics: Metrics;
  health: HealthRegistry;
  background: BackgroundService[];
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Which process this is, for the logs: api, projector, relay, cli. */
  role: string;
  /** Run the projector: on this thread, on a worker thread of this process (built code only), or not. */
  projector: boolean | 'thread';
  relay: boolean;
  logger?: Logger;
}

export function createLogger(config: AppConfig, role: string): Logger {
  return pino({ level: config.logLevel, base: { service: 'agreements', role } });
}

/**
 * Opens the event store and the read models, starts the projector and the relay where asked,
 * and registers their health checks and metrics. Closing stops them in reverse order.
 */
export async function createRuntime(config: AppConfig, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config, options.role);
  const credentials = loadCredentials(config.apiKeys, config.dataDir);
  const metrics = new Metrics();
  const health = new HealthRegistry();
  const eventStore = await openEventStore(config, logger);
  const readModelStore = await openReadModelStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.databaseUrl ? config.databaseSchema : undefined,
  });
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

  if (options.relay && config.kafkaBrokers) {
    const relay = await openRelay(config, eventStore, logger);
    background.push(relay);
    registerRelayObservability(relay.relay, metrics, health);
    logger.info({ brokers: config.kafkaBrokers }, 'Kafka relay running in this process');
  }

  let closed = false;
  return {
    config,
    logger,
    eventStore,
    readModels: readModelStore.queries,
    readModelStore,
    credentials,
    metrics,
    health,
    background,
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
      await readModelStore.close();
      await eventStore.close();
    },
  };
}

/** The event store answers (its head position) within the registry's timeout, or is down. */
export function registerEventStoreHealth(health: HealthRegistry, eventStore: EventStore): void {
  health.register({
    name: 'eventStore',
    async check() {
      const head = await eventStore.headPosition();
      return { status: 'up', headPosition: head ?? null };
    },
  });
}

/** Relay lag, publish counts and errors in /metrics; the broker's reachability as the `kafka` component. */
export function registerRelayObservability(relay: Relay, metrics: Metrics, health: HealthRegistry): void {
  registerRelayMetrics(metrics.registry, relay);
  health.register({ name: 'kafka', check: async () => ({ ...relayHealth(await relay.status()) }) });
}

/** Behind by more than this many events, or this long, readiness reports degraded. */
const FAR_BEHIND_EVENTS = 10_000;
const FAR_BEHIND_MS = 60_000;

/**
 * Projection lag in /metrics and /health/ready. Read from both stores, so it is right also in an
 * API whose projector runs in another process.
 */
function registerReadModelObservability(
  eventStore: EventStore,
  readModelStore: ReadModelStore,
  metrics: Metrics,
  health: HealthRegistry,
): void {
  // One lag reading serves both gauges of a scrape (readiness reads its own, fresh).
  let cached: { at: number; value: Promise<Awaited<ReturnType<typeof readModelLag>>> } | undefined;
  const lag = () => {
    if (!cached || Date.now() - cached.at > 250) cached = { at: Date.now(), value: readModelLag(eventStore, readModelStore) };
    return cached.value;
  };
  metrics.gauge('agreements_projection_lag_events', 'Events in the store not yet applied to the read models', async () => (await lag()).lagEvents);
  metrics.gauge(
    'agreements_projection_lag_milliseconds',
    'Age of the oldest event not yet applied to the read models (0 when caught up)',
    async () => (await lag()).lagMs,
  );
  health.register({
    name: 'readModels',
    async check() {
      const l = await readModelLag(eventStore, readModelStore);
      const far = l.lagEvents > FAR_BEHIND_EVENTS || l.lagMs > FAR_BEHIND_MS;
      return {
        status: far ? 'degraded' : 'up',
        detail: far ? `read models are ${l.lagEvents} events / ${l.lagMs} ms behind the event store` : undefined,
        checkpoint: l.checkpoint,
        headPosition: l.headPosition,
        lagEvents: l.lagEvents,
        lagMs: l.lagMs,
      };
    },
  });
}

function registerProjectorHealth(projector: ProjectorHandle, health: HealthRegistry): void {
  health.register({
    name: 'projector',
    async check() {
      const s = await projector.status();
      if (s.stuck) {
        return { status: 'degraded', detail: `projector made no progress while behind (last error: ${s.lastError?.message ?? 'none'})`, ...s };
      }
      return { status: 'up', eventsApplied: s.eventsApplied, lastError: s.lastError };
    },
  });
}

/**
 * The Kafka relay with its checkpoint store (PostgreSQL when DATABASE_URL is set, else
 * DATA_DIR/relay.sqlite), started. It never throws for an unreachable broker: it retries and
 * reports itself degraded.
 */
export async function openRelay(
  config: AppConfig,
  eventStore: EventStore,
  logger: Logger,
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
    logger: logger.child({ component: 'relay' }),
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
