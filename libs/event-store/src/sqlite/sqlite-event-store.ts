import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  AppendOptions,
  AppendResult,
  AppendedEvent,
  CommandAlreadyRecordedError,
  CommandRecord,
  DuplicateEventIdError,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { SqliteSubscription } from './sqlite-subscription';

export interface SqliteEventStoreOptions {
  /** A file path (its directory is created when missing), or ':memory:' for throwaway tests. */
  file: string;
  /**
   * How often a live subscription looks at the file for events that another process (or another
   * store instance) committed; commits of this instance wake it at once. Default 150 ms.
   */
  pollIntervalMs?: number;
  /** Events read per query while a subscription catches up. Default 1000. */
  pageSize?: number;
  /** Most append requests committed in one transaction, so a burst never blocks the loop for long. Default 1000. */
  maxBatchSize?: number;
  /** How long to wait for another process holding the write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
}

/** Counters for metrics and for tests that prove appends are grouped into few transactions. */
export interface SqliteEventStoreStats {
  /** Write transactions committed (one fsync each). */
  transactions: number;
  /** Append requests that succeeded. */
  appends: number;
  /** Events committed. */
  events: number;
}

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

interface CommandRow {
  command_id: string;
  request_hash: string;
  result: string;
}

interface PendingAppend {
  streamId: string;
  events: EventToAppend[];
  /** Serialized before queueing so a bad payload fails its own caller, and the write lock is held for less time. */
  encoded: Array<{ data: string; metadata: string }>;
  expectedRevision: ExpectedRevision;
  command?: { commandId: string; requestHash: string };
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

const SCHEMA_VERSION = 1;

/** Most stream heads remembered between batches (the longest remembered are forgotten first). */
const HEAD_CACHE_SIZE = 100_000;

// Positions are the rowid of the events table. AUTOINCREMENT guarantees a position is never
// handed out twice even if the newest rows were ever removed, so a checkpoint can never point at
// a different event later. Every write takes the database write lock before it assigns
// positions, and commits are serialized, so a reader that sees position p also sees every
// position below p: "position > checkpoint" never skips an event.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id   TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL UNIQUE,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  UNIQUE (stream_id, revision)
);
-- Replays filtered by type ("every MemorandumSigned since position p") without scanning the log.
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
-- A rowid table on purpose: command ids are random, and in a WITHOUT ROWID table every insert
-- would land the whole row (result JSON included) at a random place of the tree, splitting and
-- dirtying far more pages per commit than the small command_id index does (measured: about a
-- third fewer appends per second).
CREATE TABLE IF NOT EXISTS commands (
  command_id   TEXT NOT NULL PRIMARY KEY,
  request_hash TEXT NOT NULL,
  stream_id    TEXT NOT NULL,
  result       TEXT NOT NULL,
  recorded_at  TEXT NOT NULL
);
`;

/** Most rows one multi-row INSERT carries (a power of two). */
const MAX_ROWS_PER_INSERT = 64;

interface MultiRowInsert {
  sql: string;
  /** Values per row. */
  width: number;
}

// The inserts of writeBatch. Positions are given explicitly, the ones AUTOINCREMENT would have
// chosen (it still records them in sqlite_sequence), so that they are known before the rows are
// written. OR ROLLBACK: a violated constraint ends the whole transaction, which writeBatch's caller
// then rolls back anyway; with the default (ABORT) SQLite would have to journal every page a
// multi-row statement touches so as to undo just that statement, which costs about as much as
// the savepoints writeBatch avoids.
const EVENT_INSERT: MultiRowInsert = {
  sql: 'INSERT OR ROLLBACK INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)',
  width: 8,
};
const COMMAND_INSERT: MultiRowInsert = {
  sql: 'INSERT OR ROLLBACK INTO commands (command_id, request_hash, stream_id, result, recorded_at)',
  width: 5,
};

const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';
/** LIMIT -1 is SQLite for "no limit". */
const NO_LIMIT = -1;
const POSITION_PATTERN = /^\d+$/;

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL, so an append is
 * acknowledged only after its transaction reached the disk.
 *
 * Appends are group-committed: every append request that arrives before the next turn of the
 * event loop is written in one transaction, hence one fsync. An fsync costs milliseconds while
 * the inserts cost microseconds, so batching is what turns a few hundred durable appends per
 * second into tens of thousands. One refused request (revision conflict, duplicate event id,
 * known command) leaves the others of its batch untouched, and callers are answered only after
 * COMMIT returns, so nothing is acknowledged that could still be lost.
 *
 * A request is refused either by its checks (expected revision, command log), which run before it
 * writes anything, or by a constraint while it inserts (a duplicate event id). Only the second
 * needs part of a request undone, and it is rare, so a batch is first checked as a whole and then
 * written with a few multi-row inserts and no savepoints; if an insert fails, the transaction is
 * rolled back and the batch written again, request by request, each under its own SAVEPOINT (see
 * commitBatch).
 */
/**
 * The SQLite file holding this store's log, when it is a SqliteEventStore on a file that another
 * connection (another thread, an ATTACH) can open; undefined otherwise.
 */
export function sqliteLogFile(eventStore: EventStore): string | undefined {
  return eventStore instanceof SqliteEventStore && eventStore.file !== ':memory:' ? eventStore.file : undefined;
}

export class SqliteEventStore implements EventStore {
  private readonly stats_: SqliteEventStoreStats = { transactions: 0, appends: 0, events: 0 };
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly maxBatchSize: number;
  /**
   * The head revision (-1: no stream) of streams this instance appended to or checked, as of its
   * last commit. Trusted only while no other connection wrote to the file: every batch compares
   * PRAGMA data_version (which changes exactly when another connection committed) under the write
   * lock, and forgets them all when it moved. Also forgotten whenever a batch is rolled back.
   * Should a head ever be behind (say, forgotten in the middle of a huge batch), the
   * UNIQUE (stream_id, revision) index refuses the insert and the batch takes the careful path.
   */
  private readonly heads = new Map<string, number>();
  private dataVersion: number | undefined;
  private readonly multiRowInserts = new Map<string, Database.Statement>();

  private readonly stmt: ReturnType<SqliteEventStore['prepareStatements']>;
  /** The file holding the log (or ':memory:'), for tools that read it with SQLite itself. */
  readonly file: string;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteEventStoreOptions,
  ) {
    this.file = options.file;
    this.pollIntervalMs = options.pollIntervalMs ?? 150;
    this.pageSize = options.pageSize ?? 1000;
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.stmt = this.prepareStatements();
  }

  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file, { timeout: options.busyTimeoutMs ?? 5000 });
    try {
      // WAL lets subscribers and readers (also in other processes) read while a batch is being
      // written; synchronous=FULL makes each commit fsync the WAL, so an acknowledged append
      // survives a power cut and not only a process crash (NORMAL would only survive the latter).
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // The event_id and command_id indexes take random keys; a larger page cache keeps their
      // inner pages in memory as the log grows (64 MiB, a ceiling rather than an allocation).
      db.pragma('cache_size = -65536');
      // Checkpoint the WAL into the main file every ~40 MiB rather than every ~4 MiB: pages that
      // many batches touch (index roots, the newest leaves) are then copied and synced far less
      // often. It only changes when the file is tidied, not what a commit guarantees.
      db.pragma('wal_autocheckpoint = 10000');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new Error(`${options.file} has event store schema ${version}; this build knows up to ${SCHEMA_VERSION}`);
      }
      db.exec(SCHEMA);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return new SqliteEventStore(db, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private prepareStatements() {
    const db = this.db;
    return {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT append_request'),
      release: db.prepare('RELEASE append_request'),
      rollbackToSavepoint: db.prepare('ROLLBACK TO append_request'),
      headRevision: db
        .prepare<[string], number>('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1')
        .pluck(),
      lastRecordedAt: db.prepare<[], string>('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1').pluck(),
      headPosition: db.prepare<[], number | null>('SELECT MAX(position) FROM events').pluck(),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
      // The position AUTOINCREMENT would hand out next, minus one: the highest ever used.
      lastPosition: db
        .prepare<[], number | null>(
          `SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),
                      coalesce((SELECT max(position) FROM events), 0))`,
        )
        .pluck(),
      insertEvent: db.prepare(
        'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      findCommand: db.prepare<[string], CommandRow>(
        'SELECT command_id, request_hash, result FROM commands WHERE command_id = ?',
      ),
      insertCommand: db.prepare(
        'INSERT INTO commands (command_id, request_hash, stream_id, result, recorded_at) VALUES (?, ?, ?, ?, ?)',
      ),
      readStreamForwards: db.prepare<[string, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
      ),
      readStreamBackwards: db.prepare<[string, number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
      ),
      readAllForwards: db.prepare<[number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position >= ? ORDER BY position ASC LIMIT ?`,
      ),
      readAllBackwards: db.prepare<[number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position <= ? ORDER BY position DESC LIMIT ?`,
      ),
      // The type list travels as one JSON array parameter, so one prepared statement serves any
      // number of types.
      readAllForwardsOfTypes: db.prepare<[number, string, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position >= ? AND type IN (SELECT value FROM json_each(?))
         ORDER BY position ASC LIMIT ?`,
      ),
      readAllBackwardsOfTypes: db.prepare<[number, string, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position <= ? AND type IN (SELECT value FROM json_each(?))
         ORDER BY position DESC LIMIT ?`,
      ),
      readAfter: db.prepare<[number, number], EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`,
      ),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Writing

  append(streamId: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    let request: Omit<PendingAppend, 'resolve' | 'reject'> & Partial<PendingAppend>;
    try {
      request = this.validateAppend(streamId, events, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      request.resolve = resolve;
      request.reject = reject;
      this.queue.push(request as PendingAppend);
      this.scheduleFlush();
    });
  }

  private validateAppend(
    streamId: string,
    events: EventToAppend[],
    options: AppendOptions,
  ): Omit<PendingAppend, 'resolve' | 'reject'> {
    if (typeof streamId !== 'string' || streamId.length === 0) throw new Error('streamId must be a non-empty string');
    if (!Array.isArray(events) || events.length === 0) {
      throw new Error(`append to ${streamId}: at least one event is required`);
    }
    const expected = options?.expectedRevision;
    const expectedIsValid =
      expected === 'any' ||
      expected === 'no_stream' ||
      expected === 'stream_exists' ||
      (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1);
    if (!expectedIsValid) throw new Error(`append to ${streamId}: invalid expectedRevision ${String(expected)}`);
    const encoded = events.map((event) => {
      if (!event || typeof event.eventId !== 'string' || event.eventId.length === 0) {
        throw new Error(`append to ${streamId}: every event needs an eventId`);
      }
      if (typeof event.type !== 'string' || event.type.length === 0) {
        throw new Error(`append to ${streamId}: event ${event.eventId} needs a type`);
      }
      return { data: JSON.stringify(event.data ?? {}), metadata: JSON.stringify(event.metadata ?? {}) };
    });
    return { streamId, events, encoded, expectedRevision: expected, command: options.command };
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate rather than a microtask: it runs after the current poll phase, so requests
    // that arrive together (several HTTP requests read in one poll, or callers that await a read
    // before appending) land in the same batch instead of committing one by one.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushOneBatch();
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private flushOneBatch(): void {
    if (this.queue.length === 0 || !this.db.open) return;
    const batch = this.queue.length <= this.maxBatchSize ? this.queue : this.queue.slice(0, this.maxBatchSize);
    this.queue = this.queue.length <= this.maxBatchSize ? [] : this.queue.slice(this.maxBatchSize);
    this.commitBatch(batch);
  }

  /**
   * Writes a batch in one transaction. better-sqlite3 is synchronous, so nothing else of this
   * process runs between BEGIN and COMMIT: requests arriving meanwhile queue up for the next batch.
   */
  private commitBatch(batch: PendingAppend[]): void {
    let outcomes: Outcome[] | undefined;
    try {
      // IMMEDIATE takes the write lock now, so the revision checks below read the same state the
      // inserts will commit on, even when another process writes to the same file.
      this.beginWrite();
      outcomes = this.writeBatch(batch, this.commitTimestamp());
      if (outcomes === undefined) {
        // A request of the batch needs the careful path (an insert failed, say on a duplicate
        // event id). Nothing of the fast attempt is kept: the batch is written again from scratch,
        // each request under its own savepoint.
        this.rollbackWrite();
        this.beginWrite();
        outcomes = this.writeBatchIsolated(batch, this.commitTimestamp());
      }
      this.stmt.commit.run();
    } catch (error) {
      // The transaction as a whole failed (disk full, I/O error, lock timeout): nothing of the
      // batch is stored, so every caller hears about it.
      this.rollbackWrite();
      for (const request of batch) request.reject(error);
      return;
    }
    let committedEvents = 0;
    for (let i = 0; i < batch.length; i += 1) {
      const outcome = outcomes[i];
      if (outcome instanceof Failure) {
        batch[i].reject(outcome.error);
      } else {
        committedEvents += outcome.events.length;
        this.stats_.appends += 1;
        batch[i].resolve(outcome);
      }
    }
    this.stats_.transactions += 1;
    this.stats_.events += committedEvents;
    if (committedEvents > 0) for (const subscription of this.subscriptions) subscription.notify();
  }

  /** BEGIN IMMEDIATE, then forgets the cached stream heads if another connection wrote since. */
  private beginWrite(): void {
    this.stmt.begin.run();
    const version = this.stmt.dataVersion.get();
    if (version !== this.dataVersion) {
      this.heads.clear();
      this.dataVersion = version;
    }
  }

  /** Rolls back the open transaction, if any, with the stream heads learnt in it. */
  private rollbackWrite(): void {
    this.heads.clear();
    if (this.db.inTransaction) this.stmt.rollback.run();
  }

  /**
   * The common case, without savepoints: first every request is checked, in batch order, against
   * the file and against the requests before it in the batch (the stream heads through the cache,
   * which every accepted request advances, and the command ids of the batch), so two appends to
   * one stream in one batch are ordered exactly as if they had been committed one after the other.
   * A refused request has nothing to undo. Then the rows of the accepted requests are inserted, a
   * few statements for the whole batch, with the positions assigned here. Returns undefined,
   * having possibly written part of the batch, if a request needs the careful path: an insert
   * violated a constraint (a duplicate event id, a command already logged), or a command id
   * repeats within the batch. The caller then rolls the transaction back.
   */
  private writeBatch(batch: PendingAppend[], recordedAt: string): Outcome[] | undefined {
    const outcomes: Outcome[] = [];
    const eventRows: unknown[] = [];
    const commandRows: unknown[] = [];
    const commandIds = new Set<string>();
    let position = this.stmt.lastPosition.get() ?? 0;
    for (const request of batch) {
      const { streamId, events, encoded, command } = request;
      if (command) {
        if (commandIds.has(command.commandId)) return undefined;
        commandIds.add(command.commandId);
      }
      const actual = this.headRevision(streamId);
      if (!matchesExpected(request.expectedRevision, actual)) {
        // The command log comes first: a retried command must be recognised as such, even though
        // the stream has moved on since its first attempt.
        const known = command ? this.stmt.findCommand.get(command.commandId) : undefined;
        outcomes.push(
          new Failure(
            known
              ? new CommandAlreadyRecordedError(toCommandRecord(known))
              : new WrongExpectedRevisionError(streamId, request.expectedRevision, actual),
          ),
        );
        continue;
      }
      // A command already in the log (here, then, one whose revision matches: rare) is refused by
      // the commands primary key below, and the careful path reports it.
      const appended: AppendedEvent[] = [];
      let revision = actual;
      for (let i = 0; i < events.length; i += 1) {
        const { eventId, type } = events[i];
        revision += 1;
        position += 1;
        eventRows.push(position, streamId, revision, eventId, type, encoded[i].data, encoded[i].metadata, recordedAt);
        appended.push({ eventId, type, revision, position: String(position) });
      }
      const result: AppendResult = { streamId, revision, position: String(position), events: appended };
      if (command) {
        commandRows.push(command.commandId, command.requestHash, streamId, JSON.stringify(result), recordedAt);
      }
      this.rememberHead(streamId, revision);
      outcomes.push(result);
    }
    try {
      this.insertRows(EVENT_INSERT, eventRows);
      this.insertRows(COMMAND_INSERT, commandRows);
    } catch {
      return undefined;
    }
    return outcomes;
  }

  /** `values` holds whole rows of `insert`; inserted in order, up to MAX_ROWS_PER_INSERT a statement. */
  private insertRows(insert: MultiRowInsert, values: unknown[]): void {
    const rows = values.length / insert.width;
    let done = 0;
    while (done < rows) {
      // Statements for 1, 2, 4, ... MAX_ROWS_PER_INSERT rows, so a handful of them serves any batch.
      let count = MAX_ROWS_PER_INSERT;
      while (count > rows - done) count >>= 1;
      const statement = this.multiRowInsert(insert, count);
      statement.run(
        done === 0 && count === rows ? values : values.slice(done * insert.width, (done + count) * insert.width),
      );
      done += count;
    }
  }

  private multiRowInsert(insert: MultiRowInsert, count: number): Database.Statement {
    const key = `${insert.sql}/${count}`;
    let statement = this.multiRowInserts.get(key);
    if (!statement) {
      const row = `(${new Array<string>(insert.width).fill('?').join(', ')})`;
      statement = this.db.prepare(`${insert.sql} VALUES ${new Array<string>(count).fill(row).join(', ')}`);
      this.multiRowInserts.set(key, statement);
    }
    return statement;
  }

  /**
   * The careful case, after writeBatch met a failing insert: each request checks the command log,
   * then the revision (read from the file), then writes under its own savepoint, so a request that
   * fails half-way is undone alone.
   */
  private writeBatchIsolated(batch: PendingAppend[], recordedAt: string): Outcome[] {
    const outcomes: Outcome[] = [];
    for (const request of batch) {
      try {
        outcomes.push(this.applyAppendIsolated(request, recordedAt));
      } catch (error) {
        outcomes.push(new Failure(error));
      }
    }
    return outcomes;
  }

  private applyAppendIsolated(request: PendingAppend, recordedAt: string): AppendResult {
    const { streamId, command } = request;
    // The command log is checked before the revision, as in writeBatch.
    if (command) {
      const known = this.stmt.findCommand.get(command.commandId);
      if (known) throw new CommandAlreadyRecordedError(toCommandRecord(known));
    }
    const actual = this.stmt.headRevision.get(streamId) ?? -1;
    if (!matchesExpected(request.expectedRevision, actual)) {
      throw new WrongExpectedRevisionError(streamId, request.expectedRevision, actual);
    }
    // Checks only read; the savepoint guards the writes, where a duplicate event id can still
    // fail half-way through a multi-event append.
    this.stmt.savepoint.run();
    let result: AppendResult;
    try {
      result = this.insertAppend(request, actual, recordedAt);
    } catch (error) {
      this.stmt.rollbackToSavepoint.run();
      this.stmt.release.run();
      throw error;
    }
    this.stmt.release.run();
    this.rememberHead(streamId, result.revision);
    return result;
  }

  /** The events of a request after revision `actual`, then its command log entry. */
  private insertAppend(request: PendingAppend, actual: number, recordedAt: string): AppendResult {
    const { streamId, events, encoded, command } = request;
    const appended: AppendedEvent[] = [];
    let revision = actual;
    let position = '';
    for (let i = 0; i < events.length; i += 1) {
      const event = events[i];
      revision += 1;
      try {
        position = String(
          this.stmt.insertEvent.run(
            streamId,
            revision,
            event.eventId,
            event.type,
            encoded[i].data,
            encoded[i].metadata,
            recordedAt,
          ).lastInsertRowid,
        );
      } catch (error) {
        if (isUniqueViolation(error, 'events.event_id')) throw new DuplicateEventIdError(event.eventId);
        throw error;
      }
      appended.push({ eventId: event.eventId, type: event.type, revision, position });
    }
    const result: AppendResult = { streamId, revision, position, events: appended };
    if (command) {
      this.stmt.insertCommand.run(command.commandId, command.requestHash, streamId, JSON.stringify(result), recordedAt);
    }
    return result;
  }

  private headRevision(streamId: string): number {
    const cached = this.heads.get(streamId);
    if (cached !== undefined) return cached;
    const actual = this.stmt.headRevision.get(streamId) ?? -1;
    this.rememberHead(streamId, actual);
    return actual;
  }

  private rememberHead(streamId: string, revision: number): void {
    this.heads.set(streamId, revision);
    // Past the bound the oldest entry goes (Map iterates in insertion order).
    if (this.heads.size > HEAD_CACHE_SIZE) this.heads.delete(this.heads.keys().next().value as string);
  }

  /**
   * The batch's commit time. It never goes below the newest recordedAt in the file, so
   * recordedAt never decreases along positions even if the wall clock steps back: "as it was
   * known at T" then always is a prefix of the log.
   */
  private commitTimestamp(): string {
    const now = Date.now();
    const last = this.stmt.lastRecordedAt.get();
    const lastMs = last === undefined ? Number.NEGATIVE_INFINITY : Date.parse(last);
    return new Date(now >= lastMs ? now : lastMs).toISOString();
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  async findCommand(commandId: string): Promise<CommandRecord | undefined> {
    this.assertOpen();
    const row = this.stmt.findCommand.get(commandId);
    return row ? toCommandRecord(row) : undefined;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readStreamBackwards.all(streamId, toRevision(options.fromRevision, Number.MAX_SAFE_INTEGER), limit)
        : this.stmt.readStreamForwards.all(streamId, toRevision(options.fromRevision, 0), limit);
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const backwards = options.direction === 'backwards';
    const from =
      options.fromPosition === undefined
        ? backwards
          ? Number.MAX_SAFE_INTEGER
          : 0
        : Number(this.parsePosition(options.fromPosition));
    let rows: EventRow[];
    if (options.types === undefined) {
      rows = backwards ? this.stmt.readAllBackwards.all(from, limit) : this.stmt.readAllForwards.all(from, limit);
    } else {
      // An empty list means "only these types: none", not "no filter".
      if (options.types.length === 0) return [];
      const types = JSON.stringify(options.types);
      rows = backwards
        ? this.stmt.readAllBackwardsOfTypes.all(from, types, limit)
        : this.stmt.readAllForwardsOfTypes.all(from, types, limit);
    }
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<Position | undefined> {
    this.assertOpen();
    const head = this.stmt.headPosition.get();
    return head === null || head === undefined ? undefined : String(head);
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.afterPosition === undefined ? 0 : Number(this.parsePosition(options.afterPosition));
    const subscription = new SqliteSubscription({
      afterPosition: after,
      pollIntervalMs: this.pollIntervalMs,
      readAfter: (position) => {
        if (!this.db.open) return [];
        return this.stmt.readAfter.all(position, this.pageSize).map(toRecordedEvent);
      },
      onClose: () => this.subscriptions.delete(subscription),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  comparePositions(a: Position, b: Position): number {
    return Number(this.parsePosition(a)) - Number(this.parsePosition(b));
  }

  /** A non-negative decimal integer; "0" is before every event. Returned in canonical form ("007" -> "7"). */
  parsePosition(text: string): Position {
    if (typeof text !== 'string' || !POSITION_PATTERN.test(text)) {
      throw new Error(`invalid position ${JSON.stringify(text)}: expected a non-negative integer`);
    }
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new Error(`invalid position ${JSON.stringify(text)}: out of range`);
    return String(value);
  }

  // ---------------------------------------------------------------------------------------------
  // Operations

  /** Counters since this instance opened. */
  stats(): SqliteEventStoreStats {
    return { ...this.stats_ };
  }

  /** The durability settings in force on this connection, read back from SQLite. */
  durability(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA' } {
    this.assertOpen();
    const journalMode = String(this.db.pragma('journal_mode', { simple: true }));
    const level = Number(this.db.pragma('synchronous', { simple: true }));
    const synchronous = (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[level];
    return { journalMode, synchronous };
  }

  /** Commits what is queued, ends every subscription, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    while (this.queue.length > 0) this.flushOneBatch();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}

/** A request of a batch that was refused; anything else in a batch's outcomes is an AppendResult. */
class Failure {
  constructor(readonly error: unknown) {}
}

type Outcome = AppendResult | Failure;

function matchesExpected(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1;
    case 'stream_exists':
      return actual >= 0;
    default:
      return actual === expected;
  }
}

// Duck-typed, not `instanceof Error`: better-sqlite3's native addon is loaded once per process and
// keeps the SqliteError class of the first context that loaded it, so under a test runner with one
// context per file the error may come from another realm.
function isUniqueViolation(error: unknown, column: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    typeof e.message === 'string' &&
    e.message.includes(column)
  );
}

function toLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return NO_LIMIT;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new Error(`invalid maxCount ${maxCount}`);
  return maxCount;
}

function toRevision(revision: number | undefined, fallback: number): number {
  if (revision === undefined) return fallback;
  if (!Number.isSafeInteger(revision) || revision < 0) throw new Error(`invalid fromRevision ${revision}`);
  return revision;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: row.revision,
    position: String(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  };
}

function toCommandRecord(row: CommandRow): CommandRecord {
  return { commandId: row.command_id, requestHash: row.request_hash, result: JSON.parse(row.result) };
}
