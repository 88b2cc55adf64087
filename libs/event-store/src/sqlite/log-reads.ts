import type Database from 'better-sqlite3';
import type { CommandRecord, Position, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../event-store.port';
import {
  type CommandRow,
  EVENT_COLUMNS,
  type EventRow,
  parseSqlitePosition,
  toCommandRecord,
  toLimit,
  toRecordedEvent,
  toRevision,
} from './event-rows';

/**
 * The port's reads on a connection to the log: the store's own, or a read-only one of another
 * thread (openFastLogReader). Statements are prepared once.
 */
export class LogReads {
  private readonly stmt: ReturnType<typeof prepareReads>;

  constructor(db: Database.Database) {
    this.stmt = prepareReads(db);
  }

  findCommand(commandId: string): CommandRecord | undefined {
    const row = this.stmt.findCommand.get(commandId);
    return row ? toCommandRecord(row) : undefined;
  }

  findEvent(eventId: string): RecordedEvent | undefined {
    const row = this.stmt.findEvent.get(eventId);
    return row ? toRecordedEvent(row) : undefined;
  }

  readStream(streamId: string, options: ReadStreamOptions = {}): RecordedEvent[] {
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const rows =
      options.direction === 'backwards'
        ? this.stmt.readStreamBackwards.all(streamId, toRevision(options.fromRevision, Number.MAX_SAFE_INTEGER), limit)
        : this.stmt.readStreamForwards.all(streamId, toRevision(options.fromRevision, 0), limit);
    return rows.map(toRecordedEvent);
  }

  readAll(options: ReadAllOptions = {}): RecordedEvent[] {
    const limit = toLimit(options.maxCount);
    if (limit === 0) return [];
    const backwards = options.direction === 'backwards';
    const from =
      options.fromPosition === undefined
        ? backwards
          ? Number.MAX_SAFE_INTEGER
          : 0
        : Number(parseSqlitePosition(options.fromPosition));
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

  /** The next page of events after a position, in order (a subscription's read). */
  readAfter(position: number, pageSize: number): RecordedEvent[] {
    return this.stmt.readAfter.all(position, pageSize).map(toRecordedEvent);
  }

  headPosition(): Position | undefined {
    const head = this.stmt.headPosition.get();
    return head === null || head === undefined ? undefined : String(head);
  }
}

function prepareReads(db: Database.Database) {
  return {
    headPosition: db.prepare<[], number | null>('SELECT MAX(position) FROM events').pluck(),
    findCommand: db.prepare<[string], CommandRow>(
      'SELECT command_id, request_hash, result FROM commands WHERE command_id = ?',
    ),
    // events.event_id is UNIQUE, so this is an index lookup.
    findEvent: db.prepare<[string], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE event_id = ?`),
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
