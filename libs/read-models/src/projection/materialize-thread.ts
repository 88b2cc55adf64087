import Database from 'better-sqlite3';
import { type FastLogHandle, openFastLogReader } from '@agreements/event-store';
import { threadBody } from '@agreements/worker-threads';
import type { StoredEvent } from '../folding/stored-event';
import { EVENT_COLUMNS, type EventRowValues, toStoredEventFromValues } from '../store/stream-events';
import { type DerivedChunk, deriveChunk } from './derive-chunk';
import { rawStreamEventToStoredEvent } from './log-rows';

export interface MaterializeThreadData {
  /** The generation's event copy in the read models' SQLite file, or the event store's fast log up to a position. */
  source: { kind: 'copy'; file: string; table: string } | { kind: 'log'; log: FastLogHandle; head: number };
}

/** Reads the events of a chunk of streams, by stream. */
interface ChunkReader {
  read(streamIds: readonly string[]): Map<string, StoredEvent[]>;
  close(): void | Promise<void>;
}

/** A materializing thread (materialize-workers.ts): its own read-only connection, and one chunk of streams read and folded per request. */
export const materializeThread = threadBody({
  open(data: MaterializeThreadData) {
    const reader =
      data.source.kind === 'copy'
        ? copyReader(data.source.file, data.source.table)
        : logReader(data.source.log, data.source.head);
    return {
      handle: (streamIds: string[]): DerivedChunk => deriveChunk(streamIds, reader.read(streamIds)),
      close: () => reader.close(),
    };
  },
});

/** The generation's event copy, read-only. */
function copyReader(file: string, table: string): ChunkReader {
  const db = new Database(file, { readonly: true, timeout: 15_000 });
  db.pragma('cache_size = -65536');
  // Streams are read by key from a copy written in log order: every row is on another page. Mapped
  // pages cost no read call (and no copy) each; 2 GiB is SQLite's default ceiling.
  db.pragma('mmap_size = 2147418112');
  const statements = new Map<number, Database.Statement>();
  const select = (count: number): Database.Statement => {
    let statement = statements.get(count);
    if (!statement) {
      const list = new Array(count).fill('?').join(', ');
      statement = db
        .prepare(
          `SELECT ${EVENT_COLUMNS.join(', ')} FROM ${table} WHERE stream_id IN (${list}) ORDER BY stream_id, revision`,
        )
        .raw(true);
      statements.set(count, statement);
    }
    return statement;
  };
  return {
    read: (streamIds) =>
      groupByStream(select(streamIds.length).all(...streamIds) as EventRowValues[], toStoredEventFromValues),
    close: () => void db.close(),
  };
}

/** The event store's fast log, up to the head the copy stops at. */
function logReader(log: FastLogHandle, head: number): ChunkReader {
  const reader = openFastLogReader(log);
  return {
    read: (streamIds) => groupByStream(reader.streamEvents(streamIds, head), rawStreamEventToStoredEvent),
    close: () => reader.close(),
  };
}

function groupByStream<Row extends readonly [string, ...unknown[]]>(
  rows: readonly Row[],
  toEvent: (row: Row) => StoredEvent,
): Map<string, StoredEvent[]> {
  const byStream = new Map<string, StoredEvent[]>();
  for (const row of rows) {
    let events = byStream.get(row[0]);
    if (!events) {
      events = [];
      byStream.set(row[0], events);
    }
    events.push(toEvent(row));
  }
  return byStream;
}
