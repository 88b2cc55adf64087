import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { StoredEvent } from '../folding/stored-event';
import { EVENT_COLUMNS, type EventRowValues, toStoredEventFromValues } from '../store/stream-events';
import { deriveChunk } from './derive-chunk';
import { LOG_EVENT_VALUES, type LogEventValues, logRowToStoredEvent } from './log-rows';
import type { FromMaterializeWorker, MaterializeWorkerData, ToMaterializeWorker } from './materialize-workers';

/** The body of a materializing thread: a read-only connection, and one chunk of streams per message. */
export function runMaterializeWorker(port: MessagePort, data: MaterializeWorkerData): void {
  const { source } = data;
  const db = new Database(source.file, { readonly: true, timeout: 15_000 });
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
          source.kind === 'copy'
            ? `SELECT ${EVENT_COLUMNS.join(', ')} FROM ${source.table} WHERE stream_id IN (${list}) ORDER BY stream_id, revision`
            : `SELECT ${LOG_EVENT_VALUES} FROM events WHERE stream_id IN (${list}) AND position <= ${Number(source.head)} ORDER BY stream_id, revision`,
        )
        .raw(true);
      statements.set(count, statement);
    }
    return statement;
  };
  port.on('message', (message: ToMaterializeWorker) => {
    if ('close' in message) {
      db.close();
      port.close();
      return;
    }
    const { id, streamIds } = message;
    let reply: FromMaterializeWorker;
    try {
      const byStream = new Map<string, StoredEvent[]>();
      const toEvent = source.kind === 'copy' ? (row: unknown) => toStoredEventFromValues(row as EventRowValues) : (row: unknown) => logRowToStoredEvent(row as LogEventValues);
      for (const row of select(streamIds.length).all(...streamIds) as Array<readonly [string, ...unknown[]]>) {
        let events = byStream.get(row[0]);
        if (!events) {
          events = [];
          byStream.set(row[0], events);
        }
        events.push(toEvent(row));
      }
      reply = { id, derived: deriveChunk(streamIds, byStream) };
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.message : String(error) };
    }
    port.postMessage(reply);
  });
}
