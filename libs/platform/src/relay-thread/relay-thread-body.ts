import type { RelayLogger, RelayStatus } from '@agreements/messaging';
import { threadBody } from '@agreements/worker-threads';
import type { AppConfig } from '../config/config';
import { openEventStore } from '../runtime/event-store';
import { FOLLOWER_PAGE_CACHE_MIB } from '../runtime/memory-budget';
import { openRelay } from '../runtime/relay';
import type { ThreadLogLine } from '../runtime/logged-thread';

export type RelayThreadRequest = { kind: 'status' } | { kind: 'caughtUp'; timeoutMs: number };

/** Plain data for the message port: an error's message and stack, not the object. */
function loggable(obj: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    out[key] = value instanceof Error ? { message: value.message, stack: value.stack } : value;
  }
  return out;
}

/**
 * The relay's thread body (see relay-thread.ts): its own connection to the event store, its own
 * checkpoint store and Kafka producer, the relay publishing until the thread is stopped; its
 * status, and "tell me when you have published everything stored now", on request.
 */
export const relayThread = threadBody<{ config: AppConfig; pollIntervalMs: number }, RelayThreadRequest, RelayStatus | null, ThreadLogLine>({
  async open(data, thread) {
    const line = (level: ThreadLogLine['level']) => (obj: object, msg?: string) =>
      thread.emit({ level, obj: { ...loggable(obj), component: 'relay' }, msg: msg ?? '' });
    // kafkajs' own lines are debug: only sent across when someone will read them.
    const debugOn = data.config.logLevel === 'debug' || data.config.logLevel === 'trace';
    const logger: RelayLogger = { info: line('info'), warn: line('warn'), error: line('error'), ...(debugOn ? { debug: line('debug') } : {}) };
    const eventStore = await openEventStore(
      data.config,
      { info: (obj, msg) => logger.info(typeof obj === 'string' ? {} : obj, msg ?? String(obj)) },
      // It reads the newest events once: a small page cache will do. The API's commits do not wake
      // this connection, so it looks for new ones every pollIntervalMs.
      { pollIntervalMs: data.pollIntervalMs, pageCacheMiB: FOLLOWER_PAGE_CACHE_MIB },
    );
    const opened = await openRelay(data.config, eventStore, logger).catch(async (err: unknown) => {
      await eventStore.close();
      throw err;
    });
    return {
      async handle(request) {
        if (request.kind === 'status') return opened.relay.status();
        await opened.relay.waitUntilCaughtUp(request.timeoutMs);
        return null;
      },
      async close() {
        await opened.stop();
        await eventStore.close();
      },
    };
  },
});
