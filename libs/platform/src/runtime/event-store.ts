import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EsdbEventStore, EventStore, SqliteEventStore } from '@agreements/event-store';
import type { AppConfig } from '../config/config';

/**
 * The event store the configuration names: EventStoreDB when EVENTSTORE_CONNECTION_STRING is set,
 * else the embedded SQLite file in DATA_DIR. `pollIntervalMs` is how often an embedded store looks
 * for events other connections committed (the projector's thread asks for a short one);
 * `pageCacheMiB` bounds the connection's page cache (threads that follow the log ask for less).
 */
export async function openEventStore(
  config: AppConfig,
  logger: { info(obj: object | string, msg?: string): void },
  options: { pollIntervalMs?: number; pageCacheMiB?: number } = {},
): Promise<EventStore> {
  if (config.eventStoreConnectionString) {
    logger.info('event store: EventStoreDB');
    return EsdbEventStore.connect(config.eventStoreConnectionString);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'events.sqlite');
  logger.info({ file }, 'event store: embedded SQLite');
  return SqliteEventStore.open({ file, pollIntervalMs: options.pollIntervalMs, pageCacheMiB: options.pageCacheMiB });
}
