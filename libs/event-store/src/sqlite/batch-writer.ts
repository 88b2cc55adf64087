import type Database from 'better-sqlite3';
import {
  type AppendedEvent,
  type AppendResult,
  CommandAlreadyRecordedError,
  DuplicateEventIdError,
  type EventToAppend,
  type ExpectedRevision,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { type CommandRow, toCommandRecord } from './event-rows';
import { COMMAND_INSERT, EVENT_INSERT, MultiRowInserter } from './multi-row-insert';
import { StreamHeads } from './stream-heads';

/** An append as the writer takes it: checked, with its payloads serialized already. */
export interface AppendRequest {
  streamId: string;
  events: EventToAppend[];
  /** Serialized before queueing so a bad payload fails its own caller, and the write lock is held for less time. */
  encoded: Array<{ data: string; metadata: string }>;
  expectedRevision: ExpectedRevision;
  command?: { commandId: string; requestHash: string };
}

/** A request of a batch that was refused; anything else in a batch's outcomes is an AppendResult. */
export class Failure {
  constructor(readonly error: unknown) {}
}

export type Outcome = AppendResult | Failure;

/**
 * Writes a batch of append requests in one transaction. A request is refused either by its checks
 * (expected revision, command log), which run before it writes anything, or by a constraint while
 * it inserts (a duplicate event id). Only the second needs part of a request undone, and it is
 * rare, so a batch is first checked as a whole and then written with a few multi-row inserts and
 * no savepoints; if an insert fails, the transaction is rolled back and the batch written again,
 * request by request, each under its own SAVEPOINT.
 */
export class BatchWriter {
  private readonly stmt: ReturnType<typeof prepareWrites>;
  private readonly heads: StreamHeads;
  private readonly inserter: MultiRowInserter;

  constructor(private readonly db: Database.Database) {
    this.stmt = prepareWrites(db);
    this.heads = new StreamHeads((streamId) => this.stmt.headRevision.get(streamId) ?? -1);
    this.inserter = new MultiRowInserter(db);
  }

  /**
   * One outcome per request, in order, once COMMIT returned. better-sqlite3 is synchronous, so
   * nothing else of this process runs between BEGIN and COMMIT. Throws, with nothing of the batch
   * stored, when the transaction as a whole failed (disk full, I/O error, lock timeout).
   */
  write(batch: AppendRequest[]): Outcome[] {
    try {
      // IMMEDIATE takes the write lock now, so the revision checks below read the same state the
      // inserts will commit on, even when another process writes to the same file.
      this.beginWrite();
      let outcomes = this.writeBatch(batch, this.commitTimestamp());
      if (outcomes === undefined) {
        // A request of the batch needs the careful path (an insert failed, say on a duplicate
        // event id). Nothing of the fast attempt is kept: the batch is written again from scratch,
        // each request under its own savepoint.
        this.rollbackWrite();
        this.beginWrite();
        outcomes = this.writeBatchIsolated(batch, this.commitTimestamp());
      }
      this.stmt.commit.run();
      return outcomes;
    } catch (error) {
      this.rollbackWrite();
      throw error;
    }
  }

  /** BEGIN IMMEDIATE, then forgets the cached stream heads if another connection wrote since. */
  private beginWrite(): void {
    this.stmt.begin.run();
    this.heads.checkDataVersion(this.stmt.dataVersion.get()!);
  }

  /** Rolls back the open transaction, if any, with the stream heads learnt in it. */
  private rollbackWrite(): void {
    this.heads.forget();
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
  private writeBatch(batch: AppendRequest[], recordedAt: string): Outcome[] | undefined {
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
      const actual = this.heads.get(streamId);
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
      const result: AppendResult = { streamId, revision, position: String(position), events: appended, recordedAt };
      if (command) {
        commandRows.push(command.commandId, command.requestHash, streamId, JSON.stringify(result), recordedAt);
      }
      this.heads.remember(streamId, revision);
      outcomes.push(result);
    }
    try {
      this.inserter.insertRows(EVENT_INSERT, eventRows);
      this.inserter.insertRows(COMMAND_INSERT, commandRows);
    } catch {
      return undefined;
    }
    return outcomes;
  }

  /**
   * The careful case, after writeBatch met a failing insert: each request checks the command log,
   * then the revision (read from the file), then writes under its own savepoint, so a request that
   * fails half-way is undone alone.
   */
  private writeBatchIsolated(batch: AppendRequest[], recordedAt: string): Outcome[] {
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

  private applyAppendIsolated(request: AppendRequest, recordedAt: string): AppendResult {
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
    this.heads.remember(streamId, result.revision);
    return result;
  }

  /** The events of a request after revision `actual`, then its command log entry. */
  private insertAppend(request: AppendRequest, actual: number, recordedAt: string): AppendResult {
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
    const result: AppendResult = { streamId, revision, position, events: appended, recordedAt };
    if (command) {
      this.stmt.insertCommand.run(command.commandId, command.requestHash, streamId, JSON.stringify(result), recordedAt);
    }
    return result;
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
}

function prepareWrites(db: Database.Database) {
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
  };
}

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
