// Baseline and section 1: what SQLite itself allows, and how much of it the event store's
// appends (checked, group-committed, acknowledged after fsync) get.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type EventStore, SqliteEventStore } from '@agreements/event-store';
import { benchStreamId, commandAppend } from '../lib/commands';
import { atLeastTimesBaseline, type Report } from '../lib/report';
import { formatNumber, now, progress, type Scope } from '../lib/util';

export const STREAMS = 10_000;
export const WRITERS = 50;
const ROWS_PER_TRANSACTION = 1000;

export interface StoreSizes {
  /** Appends of the raw ceiling and of the 50-writer run (the same number, so both end at the same file size). */
  appends: number;
  /** How long the single sequential writer runs. */
  sequentialMs: number;
}

export const storeSizes = (quick: boolean): StoreSizes =>
  quick ? { appends: 15_000, sequentialMs: 1500 } : { appends: 60_000, sequentialMs: 4000 };

/**
 * Plain better-sqlite3 inserts of the rows `appends` commands would store (one event row, one
 * command row each), `perTransaction` appends per transaction, into a file whose schema the store
 * itself created, under the pragmas SqliteEventStore.open sets (WAL, synchronous=FULL, 64 MiB
 * cache, wal_autocheckpoint 10000). No reads, no checks, no promises. Returns appends/s.
 */
async function rawInsertRate(scope: Scope, appends: number, perTransaction: number): Promise<number> {
  const file = join(scope.tempDir('raw'), 'events.sqlite');
  const store = await SqliteEventStore.open({ file });
  const durability = store.durability();
  await store.close();

  const db = new Database(file);
  scope.defer('close raw insert database', () => {
    if (db.open) db.close();
  });
  // The same pragmas as SqliteEventStore.open (journal_mode is stored in the file already).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 10000');
  const insertEvent = db.prepare(
    'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertCommand = db.prepare(
    'INSERT INTO commands (command_id, request_hash, stream_id, result, recorded_at) VALUES (?, ?, ?, ?, ?)',
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');

  // The rows, encoded as the store encodes them, before the clock starts.
  const rows = Array.from({ length: appends }, (_, i) => {
    const stream = i % STREAMS;
    const revision = Math.floor(i / STREAMS);
    const append = commandAppend(benchStreamId(stream), revision - 1, i);
    const event = append.events[0];
    const position = String(i + 1);
    return {
      streamId: append.streamId,
      revision,
      eventId: event.eventId,
      type: event.type,
      data: JSON.stringify(event.data),
      metadata: JSON.stringify(event.metadata),
      commandId: append.options.command!.commandId,
      requestHash: append.options.command!.requestHash,
      result: JSON.stringify({
        streamId: append.streamId,
        revision,
        position,
        events: [{ eventId: event.eventId, type: event.type, revision, position }],
      }),
    };
  });

  progress(
    `raw inserts: ${formatNumber(appends)} appends, ${perTransaction} per transaction (${durability.journalMode}, synchronous=${durability.synchronous})`,
  );
  const started = now();
  for (let start = 0; start < rows.length; start += perTransaction) {
    const recordedAt = new Date().toISOString();
    begin.run();
    for (let i = start; i < Math.min(rows.length, start + perTransaction); i += 1) {
      const r = rows[i];
      insertEvent.run(r.streamId, r.revision, r.eventId, r.type, r.data, r.metadata, recordedAt);
      insertCommand.run(r.commandId, r.requestHash, r.streamId, r.result, recordedAt);
    }
    commit.run();
  }
  const seconds = (now() - started) / 1000;
  db.close();
  return rows.length / seconds;
}

/**
 * The baseline of the run, the raw ceiling: rawInsertRate at 1000 appends per transaction. What
 * the disk and SQLite allow for these rows; every throughput of the run is divided by it.
 */
export async function measureRawCeiling(scope: Scope, report: Report, sizes: StoreSizes): Promise<number> {
  const rate = await rawInsertRate(scope, sizes.appends, ROWS_PER_TRANSACTION);
  report.baseline = rate;
  report.add({
    section: 'baseline',
    label: 'raw ceiling: batched inserts, plain better-sqlite3',
    value: rate,
    unit: 'appends/s',
    rate: true,
    detail: `${formatNumber(sizes.appends)} appends (1 event row + 1 command row each) over ${formatNumber(STREAMS)} streams, ${ROWS_PER_TRANSACTION} per transaction, same schema and pragmas as the store`,
  });
  return rate;
}

export async function runStoreSection(scope: Scope, report: Report, sizes: StoreSizes): Promise<void> {
  // (b1) One writer, each append awaited before the next: one transaction, hence one fsync, each.
  {
    const store = await SqliteEventStore.open({ file: join(scope.tempDir('store-seq'), 'events.sqlite') });
    scope.defer('close sequential store', () => store.close());
    const revisions = new Int32Array(STREAMS).fill(-1);
    progress(`one sequential writer for ${sizes.sequentialMs / 1000} s`);
    const started = now();
    let appends = 0;
    while (now() - started < sizes.sequentialMs) {
      const stream = appends % STREAMS;
      const append = commandAppend(benchStreamId(stream), revisions[stream], appends);
      const result = await store.append(append.streamId, append.events, append.options);
      revisions[stream] = result.revision;
      appends += 1;
    }
    const seconds = (now() - started) / 1000;
    const stats = store.stats();
    await store.close();
    report.add({
      section: 'store',
      label: 'store append, 1 writer, sequential',
      value: appends / seconds,
      unit: 'appends/s',
      rate: true,
      detail: `${formatNumber(appends)} appends in ${seconds.toFixed(1)} s, ${formatNumber(stats.transactions)} transactions (one fsync per append: this is the disk's sync latency)`,
    });
  }

  // (b2) 50 concurrent writers over 10,000 streams, as 50 API requests in flight would write.
  {
    const result = await concurrentAppends(scope, sizes.appends);
    report.add({
      section: 'store',
      label: `store append, ${WRITERS} concurrent writers, ${formatNumber(STREAMS)} streams`,
      value: result.rate,
      unit: 'appends/s',
      rate: true,
      target: atLeastTimesBaseline(0.5),
      detail: `${formatNumber(sizes.appends)} appends, exact expected revision + command log entry each; ${formatNumber(result.transactions)} transactions, ${result.perTransaction.toFixed(1)} appends per group commit`,
    });
  }

  // (c) For reading (b2): the raw inserts again, but in transactions as small as the group commits
  // 50 writers produce. Its gap to (b2) is what the store adds (checks, savepoints, promises);
  // its gap to the raw ceiling is what committing 50 rather than 1000 appends at a time costs.
  {
    const rate = await rawInsertRate(scope, sizes.appends, WRITERS);
    report.add({
      section: 'store',
      label: `reference: raw inserts, ${WRITERS} appends per transaction`,
      value: rate,
      unit: 'appends/s',
      rate: true,
      detail: `as the raw ceiling, in transactions the size of the group commits above: the store's own overhead is the gap between the two`,
    });
  }
}

/**
 * `total` appends by 50 writers (total / 50 each); writer w owns the streams ≡ w (mod 50), so no
 * two writers race for a stream and every append carries the exact revision it expects (as
 * handleCommand's do). The appends are built before the clock starts, as the raw ceiling's rows
 * are: the figure is the store's, not the cost of making ids and hashes.
 */
export async function concurrentAppends(
  scope: Scope,
  total: number,
  store?: EventStore,
): Promise<{ rate: number; seconds: number; transactions: number; perTransaction: number }> {
  let target = store;
  let own: SqliteEventStore | undefined;
  if (!target) {
    own = await SqliteEventStore.open({ file: join(scope.tempDir('store-concurrent'), 'events.sqlite') });
    scope.defer('close concurrent store', () => own!.close());
    target = own;
  }
  const perWriter = Math.ceil(total / WRITERS);
  const streamsPerWriter = STREAMS / WRITERS;
  const plans = Array.from({ length: WRITERS }, (_, writer) =>
    Array.from({ length: perWriter }, (_, k) => {
      const stream = writer + WRITERS * (k % streamsPerWriter);
      return commandAppend(benchStreamId(stream), Math.floor(k / streamsPerWriter) - 1, writer * perWriter + k);
    }),
  );
  const appends = perWriter * WRITERS;
  let done = 0;
  progress(`${WRITERS} concurrent writers: ${formatNumber(appends)} appends`);
  const ticker = setInterval(() => progress(`  ${formatNumber(done)} / ${formatNumber(appends)}`), 5000);
  const transactionsBefore = own ? own.stats().transactions : 0;
  const started = now();
  try {
    await Promise.all(
      plans.map(async (plan) => {
        for (const append of plan) {
          await target!.append(append.streamId, append.events, append.options);
          done += 1;
        }
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  const seconds = (now() - started) / 1000;
  const transactions = own ? own.stats().transactions - transactionsBefore : Number.NaN;
  if (own) await own.close();
  return { rate: appends / seconds, seconds, transactions, perTransaction: appends / transactions };
}
