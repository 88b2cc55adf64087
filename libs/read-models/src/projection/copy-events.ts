import { parseStreamId } from '@agreements/domain';
import type { EventStore, FastLog, RecordedEvent } from '@agreements/event-store';
import { toStoredEvent } from '../folding/stored-event';
import type { ReadModelStore } from '../store/read-model-store';
import type { Db } from '../store/sql';
import { generationTables } from '../store/schema';
import { EVENT_COLUMNS, type EventRowValues, toRowValues, TYPED_EVENT_COLUMNS } from '../store/stream-events';
import { yieldToEventLoop } from './yield-to-event-loop';
import { READ_MODEL_STREAMS } from './log-rows';

// A rebuild's first step: the event copy of a new generation, every event up to the store's head
// when the rebuild started, with the generation's checkpoint at that head. Nothing is folded
// here: the views are derived afterwards, one stream at a time, from the copy (materialize.ts).
//
// Three ways, same rows, all in log order. When the store has a fast log (a SQLite file) and the
// read models are a SQLite file too, its copier copies inside SQLite: no event goes through
// JavaScript. From a fast log into PostgreSQL, its reader hands over raw rows (unparsed) and they
// are inserted in bulk (Sql.insertBulk: one jsonb parameter per statement on PostgreSQL); from any other store, the events are read through the
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

/** The copy through the port, or from the store's fast log when it has one: inside SQLite when the read models are SQLite too. */
export async function copyEventLog(
  eventStore: EventStore,
  store: ReadModelStore,
  generation: number,
  head: string | undefined,
  log: FastLog | undefined,
  options: CopyOptions,
): Promise<CopyResult> {
  if (head === undefined) return { events: 0, checkpoint: undefined, recordedAt: undefined, method: 'read-and-insert' };
  if (log !== undefined && store.flavor === 'sqlite') return copyByAttaching(log, store, generation, Number(head), options);
  const batches = log !== undefined ? batchesFromFastLog(log, Number(head), options.batchSize) : batchesFromPort(eventStore, head, options.batchSize);
  return copyByReading(batches, store, generation, options);
}

/**
 * The copy inside SQLite (the fast log's copier), a range of positions per transaction, in log
 * order; the read-model file's writes of this copy and of the views take turns (exclusive).
 */
async function copyByAttaching(log: FastLog, store: ReadModelStore, generation: number, head: number, options: CopyOptions): Promise<CopyResult> {
  const copier = log.openCopier({ file: store.location, table: generationTables(generation).events, columns: EVENT_COLUMNS }, READ_MODEL_STREAMS);
  try {
    const exclusive = options.exclusive ?? exclusiveRunner();
    // Every event up to the head counts as applied (as in live projection), copied or not.
    const total = copier.countUpTo(head);
    let copied = 0;
    for (let from = 0; from < head; from += options.batchSize) {
      const to = Math.min(head, from + options.batchSize);
      copied += await exclusive(async () => copier.copyRange(from, to));
      options.onProgress({ events: copied, total, position: String(to) });
      await yieldToEventLoop();
    }
    const recordedAt = copier.recordedAt(head);
    await exclusive(() =>
      store.writeTransaction(async (db) => {
        await assertBuilding(store, generation, db);
        await store.sql.run(db, `UPDATE rm_generations SET checkpoint = ?, last_recorded_at = ?, events_applied = ?, updated_at = ? WHERE generation = ?`, [
          String(head),
          recordedAt ?? null,
          total,
          new Date().toISOString(),
          generation,
        ]);
      }),
    );
    return { events: total, checkpoint: String(head), recordedAt, method: 'sqlite-attach' };
  } finally {
    copier.close();
  }
}

/** Positions per statement of the copy from a fast log into PostgreSQL (one JSON text each). */
const JSON_PAGE = 5_000;

/**
 * A batch of the copy: its rows (as values, or as JSON array texts the fast log wrote), how many
 * events of the log it covers, and the last of them.
 */
interface CopyBatch {
  rows: { values: EventRowValues[] } | { json: string[] };
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
    yield { rows: { values: rows }, count, last: { position: last.position, recordedAt: last.recordedAt } };
  }
}

/**
 * The fast log's rows as JSON texts it writes itself (nothing made or parsed here), up to the
 * head, a range of positions at a time. Streams that only look like the read models' are copied
 * too; materializing finds them, and the rebuild deletes their events (as after the SQLite copy).
 */
async function* batchesFromFastLog(log: FastLog, head: number, batchSize: number): AsyncGenerator<CopyBatch> {
  const reader = log.openReader(READ_MODEL_STREAMS);
  try {
    for (let from = 0; from < head; from += batchSize) {
      const to = Math.min(head, from + batchSize);
      const { count, last } = reader.rangeSummary(from, to);
      if (!last) continue;
      // Statements of at most JSON_PAGE positions, whatever the batch size.
      const json: string[] = [];
      for (let page = from; page < to; page += JSON_PAGE) json.push(reader.rangeEventsJson(page, Math.min(to, page + JSON_PAGE)));
      yield { rows: { json }, count, last };
    }
  } finally {
    await reader.close();
  }
}

/** The copy through inserts: batches of rows in bulk statements (Sql.insertBulk), one batch written while the next is read. */
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
        await assertBuilding(store, generation, db);
        if ('values' in batch.rows) await store.sql.insertBulk(db, tables.events, TYPED_EVENT_COLUMNS, batch.rows.values as unknown as unknown[][]);
        else for (const json of batch.rows.json) await store.sql.insertBulkJson(db, tables.events, TYPED_EVENT_COLUMNS, json);
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

async function assertBuilding(store: ReadModelStore, generation: number, db: Db): Promise<void> {
  const info = await store.generationInfo(generation, db);
  if (!info || info.status !== 'building') {
    throw new Error(`read-model generation ${generation} is ${info?.status ?? 'gone'}, not building: another rebuild took over?`);
  }
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
