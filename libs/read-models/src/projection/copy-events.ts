import Database from 'better-sqlite3';
import { parseStreamId } from '@agreements/domain';
import type { EventStore, RecordedEvent } from '@agreements/event-store';
import { toStoredEvent } from '../folding/stored-event';
import type { ReadModelStore } from '../store/read-model-store';
import { generationTables } from '../store/schema';
import { EVENT_COLUMNS, type EventRowValues, toRowValues } from '../store/stream-events';
import { yieldToEventLoop } from './yield-to-event-loop';
import { LOG_ROW_VALUES, LOG_STREAM_FILTER } from './log-rows';

// A rebuild's first step: the event copy of a new generation, every event up to the store's head
// when the rebuild started, with the generation's checkpoint at that head. Nothing is folded
// here: the views are derived afterwards, one stream at a time, from the copy (materialize.ts).
//
// Three ways, same rows, all in log order. When the log and the read models are both SQLite
// files, one SQLite connection attaches the log and copies with INSERT ... SELECT: no event goes
// through JavaScript. From a SQLite log into PostgreSQL, SQLite reads the rows (unparsed) and they
// are inserted in multi-row statements; from any other store, the events are read through the
// EventStore port and inserted the same way, one batch written while the next is read.

export interface CopyProgress {
  /** Events copied so far. */
  events: number;
  /** How many there are to copy, when known. */
  total?: number;
  /** The last position copied, when the copy goes in global order. */
  position: string | undefined;
}

export interface CopyResult {
  /** Events of the log up to its checkpoint (streams of other kinds count, without a copy). */
  events: number;
  /** The last position copied (the generation's checkpoint); undefined for an empty log. */
  checkpoint: string | undefined;
  recordedAt: string | undefined;
  /** sqlite-attach: SQLite copied from the log it attached; read-and-insert: rows read (through the port, or from a SQLite log) and inserted. */
  method: 'sqlite-attach' | 'read-and-insert';
}

export interface CopyOptions {
  /** Events per transaction. */
  batchSize: number;
  onProgress: (progress: CopyProgress) => void;
  /** Runs each write transaction (the caller may be writing the same file from another connection). */
  exclusive?: Exclusive;
}

/** Runs work alone among the callers of the same Exclusive. */
export type Exclusive = <T>(work: () => Promise<T>) => Promise<T>;

export function exclusiveRunner(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work);
    tail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  };
}

/** The copy through the port, or from `log` (the store's sqliteLogFile) when given: inside SQLite when the read models are SQLite too. */
export async function copyEventLog(
  eventStore: EventStore,
  store: ReadModelStore,
  generation: number,
  head: string | undefined,
  log: string | undefined,
  options: CopyOptions,
): Promise<CopyResult> {
  if (head === undefined) return { events: 0, checkpoint: undefined, recordedAt: undefined, method: 'read-and-insert' };
  if (log !== undefined && store.flavor === 'sqlite') return copyByAttaching(log, store.location, generation, Number(head), options);
  const batches = log !== undefined ? batchesFromSqliteLog(log, Number(head), options.batchSize) : batchesFromPort(eventStore, head, options.batchSize);
  return copyByReading(batches, store, generation, options);
}

/**
 * The copy inside SQLite: a connection to the read-model file attaches the log (read only by
 * this connection; WAL lets the API go on writing it) and copies a range of positions per
 * transaction, in log order (a sequential read), as LOG_ROW_VALUES.
 */
async function copyByAttaching(logFile: string, readModelFile: string, generation: number, head: number, options: CopyOptions): Promise<CopyResult> {
  const table = generationTables(generation).events;
  const db = new Database(readModelFile, { timeout: 15_000 });
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma('cache_size = -131072');
    db.prepare('ATTACH DATABASE ? AS log').run(logFile);
    const copy = db.prepare(
      `INSERT INTO main.${table} (${EVENT_COLUMNS.join(', ')})
       SELECT ${LOG_ROW_VALUES} FROM log.events WHERE position > ? AND position <= ? AND ${LOG_STREAM_FILTER} ORDER BY position`,
    );
    const exclusive = options.exclusive ?? exclusiveRunner();
    const atHead = db.prepare<[number], { recorded_at: string }>('SELECT recorded_at FROM log.events WHERE position = ?');
    const setCheckpoint = db.prepare(
      `UPDATE rm_generations SET checkpoint = ?, last_recorded_at = ?, events_applied = ?, updated_at = ? WHERE generation = ? AND status = 'building'`,
    );
    // Every event up to the head counts as applied (as in live projection), copied or not.
    const total = (db.prepare('SELECT COUNT(*) AS n FROM log.events WHERE position <= ?').get(head) as { n: number }).n;
    let copied = 0;
    for (let from = 0; from < head; from += options.batchSize) {
      const to = Math.min(head, from + options.batchSize);
      copied += await exclusive(async () => Number(db.transaction(() => copy.run(from, to).changes)()));
      options.onProgress({ events: copied, total, position: String(to) });
      await yieldToEventLoop();
    }
    const recordedAt = atHead.get(head)?.recorded_at;
    const updated = await exclusive(async () => setCheckpoint.run(String(head), recordedAt ?? null, total, new Date().toISOString(), generation));
    if (updated.changes !== 1) throw new Error(`read-model generation ${generation} is no longer building: another rebuild took over?`);
    return { events: total, checkpoint: String(head), recordedAt, method: 'sqlite-attach' };
  } finally {
    db.close();
  }
}

/** A batch of the copy: its rows, how many events of the log it covers, and the last of them. */
interface CopyBatch {
  rows: EventRowValues[];
  count: number;
  last: { position: string; recordedAt: string };
}

/** The log through the port, up to the head, a batch at a time. */
async function* batchesFromPort(eventStore: EventStore, head: string, batchSize: number): AsyncGenerator<CopyBatch> {
  const compare = (a: string, b: string) => eventStore.comparePositions(a, b);
  const pageSize = Math.min(batchSize, 2_000);
  let after: string | undefined;
  let done = false;
  while (!done) {
    const rows: EventRowValues[] = [];
    let last: RecordedEvent | undefined;
    let count = 0;
    while (count < batchSize) {
      const page = await readPage(eventStore, after, pageSize, compare);
      if (page.length === 0) {
        done = true;
        break;
      }
      for (const event of page) {
        if (compare(event.position, head) > 0) {
          done = true;
          break;
        }
        count += 1;
        last = event;
        if (parseStreamId(event.streamId)) rows.push(toRowValues(event.streamId, toStoredEvent(event)));
      }
      if (done) break;
      after = page[page.length - 1].position;
    }
    if (last === undefined) return;
    yield { rows, count, last: { position: last.position, recordedAt: last.recordedAt } };
  }
}

/** A SQLite log read by SQLite itself (rows as LOG_ROW_VALUES: nothing parsed), up to the head, a range of positions at a time. */
async function* batchesFromSqliteLog(file: string, head: number, batchSize: number): AsyncGenerator<CopyBatch> {
  const db = new Database(file, { readonly: true, timeout: 15_000 });
  try {
    db.pragma('mmap_size = 2147418112');
    const select = db
      .prepare<[number, number], EventRowValues>(`SELECT ${LOG_ROW_VALUES} FROM events WHERE position > ? AND position <= ? AND ${LOG_STREAM_FILTER} ORDER BY position`)
      .raw(true);
    const count = db.prepare<[number, number], number>('SELECT COUNT(*) FROM events WHERE position > ? AND position <= ?').pluck();
    const lastOf = db.prepare<[number, number], { position: number; recorded_at: string }>(
      'SELECT position, recorded_at FROM events WHERE position > ? AND position <= ? ORDER BY position DESC LIMIT 1',
    );
    for (let from = 0; from < head; from += batchSize) {
      const to = Math.min(head, from + batchSize);
      const last = lastOf.get(from, to);
      if (!last) continue;
      yield {
        rows: select.all(from, to).filter((row) => parseStreamId(row[0]) !== undefined),
        count: count.get(from, to) ?? 0,
        last: { position: String(last.position), recordedAt: last.recorded_at },
      };
    }
  } finally {
    db.close();
  }
}

/** The copy through inserts: batches of rows in multi-row statements, one batch written while the next is read. */
async function copyByReading(batches: AsyncGenerator<CopyBatch>, store: ReadModelStore, generation: number, options: CopyOptions): Promise<CopyResult> {
  const tables = generationTables(generation);
  const exclusive = options.exclusive ?? exclusiveRunner();
  let events = 0;
  let last: CopyBatch['last'] | undefined;
  let writing: Promise<void> | undefined;
  for await (const batch of batches) {
    // One batch written at a time (the checkpoints move in order), while the next is read.
    if (writing) await writing;
    writing = exclusive(() =>
      store.writeTransaction(async (db) => {
        // Nobody reads this generation yet and a failed rebuild drops it: its commits need not
        // wait for the disk (PostgreSQL; SQLite in WAL mode with synchronous=NORMAL does not anyway).
        if (store.flavor === 'postgres') await store.sql.run(db, 'SET LOCAL synchronous_commit = off');
        const info = await store.generationInfo(generation, db);
        if (!info || info.status !== 'building') {
          throw new Error(`read-model generation ${generation} is ${info?.status ?? 'gone'}, not building: another rebuild took over?`);
        }
        await store.sql.insertMany(db, tables.events, EVENT_COLUMNS, batch.rows as unknown as unknown[][]);
        await store.sql.run(
          db,
          `UPDATE rm_generations SET checkpoint = ?, last_recorded_at = ?, events_applied = events_applied + ?, updated_at = ?
            WHERE generation = ?`,
          [batch.last.position, batch.last.recordedAt, batch.count, new Date().toISOString(), generation],
        );
      }),
    );
    writing.catch(() => undefined);
    events += batch.count;
    last = batch.last;
    options.onProgress({ events, position: last.position });
  }
  if (writing) await writing;
  return { events, checkpoint: last?.position, recordedAt: last?.recordedAt, method: 'read-and-insert' };
}

/** The events after a position (all from the start when undefined), at most `size`. */
export async function readPage(eventStore: EventStore, after: string | undefined, size: number, compare: (a: string, b: string) => number): Promise<RecordedEvent[]> {
  if (after === undefined) return eventStore.readAll({ maxCount: size });
  // readAll's fromPosition is inclusive: ask for one more and drop what is not after.
  const page = await eventStore.readAll({ fromPosition: after, maxCount: size + 1 });
  let start = 0;
  while (start < page.length && compare(page[start].position, after) <= 0) start += 1;
  return start === 0 ? page : page.slice(start);
}
