import { type FastLogHandle, openFastLogReader } from '@agreements/event-store';
import { threadBody } from '@agreements/worker-threads';
import { AgreementStatusFolder } from './agreement-status-folder';
import type { OutgoingMessage } from './cloud-events';

export interface StatusThreadData {
  /** The event store's fast log, which the thread reads itself. */
  log: FastLogHandle;
  /** Agreements whose folded state the thread keeps between batches. */
  cacheSize: number;
}

/** A batch the relay read from its subscription, by its first and last position and its size. */
export interface StatusBatch {
  from: string;
  to: string;
  count: number;
}

/**
 * The status summaries' thread (status-thread.ts): its own read-only connection to the log, its
 * own folder; batches are folded one at a time, in the order they are sent (the folder's cache
 * follows the log).
 */
export const statusThread = threadBody({
  ordered: true,
  open(data: StatusThreadData) {
    const reader = openFastLogReader(data.log);
    const folder = new AgreementStatusFolder(reader, data.cacheSize);
    return {
      async handle(batch: StatusBatch): Promise<OutgoingMessage[]> {
        const read = await reader.readAll({ fromPosition: batch.from, maxCount: batch.count });
        const events = read.filter((event) => reader.comparePositions(event.position, batch.to) <= 0);
        // The batch the relay read from its subscription: the same events, in the same order.
        if (events.length !== batch.count || events[0]?.position !== batch.from) {
          throw new Error(
            `expected ${batch.count} events from position ${batch.from} to ${batch.to}, read ${events.length}`,
          );
        }
        return folder.statusMessages(events);
      },
      close: () => reader.close(),
    };
  },
});
