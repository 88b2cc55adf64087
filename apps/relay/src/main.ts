import 'reflect-metadata';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Relay, registerRelayMetrics, relayHealth } from '@agreements/messaging';
import type { EventStore } from '@agreements/event-store';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError, loadConfig } from '../../api/src/config';
import { createLogger, openEventStore, openRelay } from '../../api/src/infrastructure/runtime';
import { installShutdown } from '../../api/src/infrastructure/shutdown';

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
async function main(): Promise<void> {
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
    service = await openRelay(config, eventStore, logger, { stopTimeoutMs: 7000 });
  } catch (error) {
    await eventStore.close();
    throw error;
  }
  const { relay } = service;
  logger.info({ checkpoints: service.description }, 'relay checkpoints opened');

  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'agreements_' });
  registerRelayMetrics(registry, relay);
  const server = await listen(createServer((req, res) => void handle(req, res, relay, eventStore, registry)), config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info({ url: `http://${config.host}:${port}` }, 'relay health and metrics listening');

  installShutdown(logger, async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await service.stop();
    await eventStore.close();
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, relay: Relay, eventStore: EventStore, registry: Registry): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: 'only GET' });
    if (path === '/health/live') return send(res, 200, { status: 'up' });
    if (path === '/health/ready') {
      const status = await relay.status();
      const kafka = relayHealth(status);
      let store: { status: 'up' | 'down'; headPosition?: string | null; detail?: string };
      try {
        store = { status: 'up', headPosition: (await eventStore.headPosition()) ?? null };
      } catch (error) {
        store = { status: 'down', detail: (error as Error).message };
      }
      const overall = store.status === 'down' ? 'down' : kafka.status;
      return send(res, overall === 'up' ? 200 : 503, {
        status: overall,
        components: { kafka, eventStore: store },
        relay: status,
      });
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
      return;
    }
    send(res, 404, { error: 'not found' });
  } catch (error) {
    send(res, 500, { error: (error as Error).message });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** pino writes asynchronously: let the last line out before exiting. */
function flushAndExit(code: number): Promise<void> {
  return new Promise(() => setTimeout(() => process.exit(code), 50));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(`agreements relay: configuration error: ${err.message}`);
  } else {
    console.error('agreements relay: failed to start:', err);
  }
  process.exit(1);
});
