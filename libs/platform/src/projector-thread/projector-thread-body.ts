import { Projector, type ProjectorStatus } from '@agreements/read-models';
import { threadBody } from '@agreements/worker-threads';
import type { AppConfig } from '../config/config';
import { openEventStore } from '../runtime/event-store';
import { FOLLOWER_PAGE_CACHE_MIB } from '../runtime/memory-budget';
import { openReadModels } from '../runtime/read-models';
import type { ThreadLogLine } from '../runtime/logged-thread';

/**
 * The projector's thread body (see projector-thread.ts): its own connections to the event store
 * and the read models, the projector running until the thread is stopped, and its status on request.
 */
export const projectorThread = threadBody<{ config: AppConfig }, 'status', ProjectorStatus, ThreadLogLine>({
  async open(data, thread) {
    const log = (level: ThreadLogLine['level'], obj: Record<string, unknown>, msg: string) =>
      thread.emit({ level, obj, msg });
    // The thread reaches the events the API commits through the store's own polling (its commit
    // notifications stay on the API's thread); 20 ms keeps the projection lag low at little cost.
    const eventStore = await openEventStore(
      data.config,
      { info: (obj, msg) => log('info', typeof obj === 'string' ? {} : { ...obj }, msg ?? String(obj)) },
      // It reads the newest events once (and a stream now and then): a small page cache will do.
      { pollIntervalMs: 20, pageCacheMiB: FOLLOWER_PAGE_CACHE_MIB },
    );
    const readModelStore = await openReadModels(data.config);
    const projector = new Projector(eventStore, readModelStore, {
      onError: (err) =>
        log(
          'error',
          { err: { message: (err as Error)?.message, stack: (err as Error)?.stack } },
          'projector: batch failed; retrying with backoff',
        ),
    });
    await projector.start();
    return {
      handle: () => projector.status(),
      async close() {
        await projector.stop();
        await readModelStore.close();
        await eventStore.close();
      },
    };
  },
});
