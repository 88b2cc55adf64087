import type { EventStore, FastLogReader } from '@agreements/event-store';
import { fromRecordedEvent } from '../leaf/stored-events';
import { EventBatch, type LogBatch, RawRowBatch } from './log-batch';

/** The next events of the global log after a position, in order, at most `limit`. */
export interface LogBatches {
  after(position: string | undefined, limit: number): Promise<LogBatch>;
  close(): Promise<void>;
}

/**
 * Reads the log in batches: raw rows from the embedded store's fast log (one indexed range read,
 * no port objects, texts unparsed), else the port's readAll (EventStoreDB), whose `fromPosition`
 * is inclusive.
 */
export function logBatches(store: Pick<EventStore, 'readAll' | 'fastLog'>): LogBatches {
  const fastLog = store.fastLog;
  if (fastLog) {
    let opened: LogBatches | undefined;
    return {
      after: (position, limit) => (opened ??= readerBatches(fastLog.openReader())).after(position, limit),
      close: async () => opened?.close(),
    };
  }
  return {
    async after(position, limit) {
      const events = await store.readAll(
        position === undefined ? { maxCount: limit } : { fromPosition: position, maxCount: limit + 1 },
      );
      const fresh = position !== undefined && events[0]?.position === position ? events.slice(1) : events;
      return new EventBatch(fresh.slice(0, limit).map(fromRecordedEvent));
    },
    async close() {},
  };
}

/** Batches from a fast log reader of the embedded log (any thread can open one from the log's handle). */
export function readerBatches(reader: FastLogReader): LogBatches {
  return {
    async after(position, limit) {
      return new RawRowBatch(reader.storedEventsAfter(position === undefined ? 0 : Number(position), limit));
    },
    async close() {
      await reader.close();
    },
  };
}
