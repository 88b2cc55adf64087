import 'reflect-metadata';
import type { EventStore } from '@agreements/event-store';
import {
  createLogger,
  HealthRegistry,
  installShutdown,
  loadConfig,
  Metrics,
  openEventStore,
  openRelay,
  registerEventStoreHealth,
  registerRelayObservability,
  serveOperations,
  startProcess,
} from '@agreements/platform';

const DEFAULT_PORT = 3002;

/**
 * `npm run start:relay`: the Kafka relay alone (production shape), reading the event store
 * (EVENTSTORE_CONNECTION_STRING, or DATA_DIR/events.sqlite) and publishing to KAFKA_BROKERS, with
 * its checkpoint in PostgreSQL (DATABASE_URL) or DATA_DIR/relay.sqlite. Serves /health/live,
 * /health/ready (503 while it cannot publish) and /metrics on PORT (default 3002).
 *
 * Without KAFKA_BROKERS it exits at once (1). With a broker that is unreachable, or a malformed
 * KAFKA_BROKERS, it keeps running, says why in the log and in /health/ready, and (for an
 * unreachable broker) keeps retrying: a restart would not help, and nothing is lost meanwhile.
 */
startProcess('relay', async () => {
  const config = loadConfig({ ...process.env, PORT: process.env.PORT?.trim() ? process.env.PORT : String(DEFAULT_PORT) });
  const logger = createLogger(config, 'relay');
  if (!config.kafkaBrokers) {
    logger.fatal('KAFKA_BROKERS is not set: the relay has nothing to publish to. Set it to the Kafka brokers as host:port,host:port (e.g. KAFKA_BROKERS=127.0.0.1:9092)');
    await flushAndExit(1);
    return;
  }

  const eventStore: EventStore = await openEventStore(config, logger);
  let service: Awaited<ReturnType<typeof openRelay>>;
  try {
    // The shutdown guard exits after 10 s; leave time to close the stores after an unacknowledged batch.
    service = await openRelay(config, eventStore, logger.child({ component: 'relay' }), { stopTimeoutMs: 7000 });
  } catch (error) {
    await eventStore.close();
    throw error;
  }
  const { relay } = service;
  logger.info({ checkpoints: service.description }, 'relay checkpoints opened');

  const metrics = new Metrics();
  const health = new HealthRegistry();
  registerEventStoreHealth(health, eventStore);
  registerRelayObservability(relay, metrics, health);
  // Publishing is this process's only job: readiness is 503 while it cannot publish (degraded).
  const server = await serveOperations(health, metrics, config.port, config.host, {
    unreadyOn: ['down', 'degraded'],
    readyDetails: async () => ({ relay: await relay.status() }),
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ url: `http://${config.host}:${port}` }, 'relay health and metrics listening');

  installShutdown(logger, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.stop();
    await eventStore.close();
  });
});

/** pino writes asynchronously: let the last line out before exiting. */
function flushAndExit(code: number): Promise<void> {
  return new Promise(() => setTimeout(() => process.exit(code), 50));
}
