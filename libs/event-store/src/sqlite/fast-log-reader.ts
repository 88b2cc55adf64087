import Database from 'better-sqlite3';
import type { Position, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../event-store.port';
import type { FastLogHandle, FastLogReader, FastLogReaderOptions, RawLogEvent, RawStoredEvent, RawStreamEvent } from '../fast-log.port';
import { parseSqlitePosition } from './event-rows';
import { RAW_LOG_EVENT, RAW_LOG_EVENT_JSON, RAW_STREAM_EVENT, streamFilter } from './fast-log-sql';
import { LogReads } from './log-reads';

/**
 * A read-only connection to a SQLite log, from any thread (a worker thread opens it from the
 * handle it was given). WAL lets it read while the store goes on writing.
 */
export function openFastLogReader(handle: FastLogHandle, options: FastLogReaderOptions = {}): FastLogReader {
  if (handle.kind !== 'sqlite') throw new Error(`no fast log reader for a ${String(handle.kind)} log`);
  return new SqliteFastLogReader(handle.file, options);
}

class SqliteFastLogReader implements FastLogReader {
  private readonly db: Database.Database;
  private readonly reads: LogReads;
  private readonly filter: string;
  private readonly stmt: ReturnType<SqliteFastLogReader['prepare']>;
  /** streamEvents' statements, one per number of streams asked for. */
  private readonly byStreams = new Map<number, Database.Statement>();

  constructor(file: string, options: FastLogReaderOptions) {
    this.filter = streamFilter(options);
    this.db = new Database(file, { readonly: true, timeout: 15_000 });
    try {
      // 16 MiB: readers follow the log's newest pages, and mapped pages (below) need no cache.
      // Three threads hold one each; 64 MiB apiece filled with the log in the soak.
      this.db.pragma('cache_size = -16384');
      // Streams are read by key from a log written in time order: every row is on another page.
      // Mapped pages cost no read call (and no copy) each; 2 GiB is SQLite's default ceiling.
      this.db.pragma('mmap_size = 2147418112');
      this.reads = new LogReads(this.db);
      this.stmt = this.prepare();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  private prepare() {
    const db = this.db;
    return {
      range: db
        .prepare<[number, number], RawLogEvent>(
          `SELECT ${RAW_LOG_EVENT} FROM events WHERE position > ? AND position <= ? AND ${this.filter} ORDER BY position`,
        )
        .raw(true),
      // json_group_array takes the rows in the order the subquery gives them (SQLite does not
      // flatten an ordered subquery into an aggregate), and each json_array as JSON only when it
      // gets it directly: a subquery's column would come back a plain string.
      rangeJson: db
        .prepare<[number, number], string>(
          `SELECT json_group_array(${RAW_LOG_EVENT_JSON}) FROM (
             SELECT * FROM events WHERE position > ? AND position <= ? AND ${this.filter} ORDER BY position)`,
        )
        .pluck(),
      stored: db
        .prepare<[number, number], RawStoredEvent>(
          `SELECT CAST(position AS TEXT), stream_id, revision, event_id, type, data, metadata, recorded_at
             FROM events WHERE position > ? ORDER BY position LIMIT ?`,
        )
        .raw(true),
      count: db
        .prepare<[number, number], number>('SELECT COUNT(*) FROM events WHERE position > ? AND position <= ?')
        .pluck(),
      lastOf: db.prepare<[number, number], { position: number; recorded_at: string }>(
        'SELECT position, recorded_at FROM events WHERE position > ? AND position <= ? ORDER BY position DESC LIMIT 1',
      ),
      streamIdsAfter: db
        .prepare<[string, number], string>(
          `SELECT DISTINCT stream_id FROM events WHERE stream_id > ? AND ${this.filter} ORDER BY stream_id LIMIT ?`,
        )
        .pluck(),
    };
  }

  rangeEvents(from: number, to: number): RawLogEvent[] {
    return this.stmt.range.all(from, to);
  }

  rangeEventsJson(from: number, to: number): string {
    return this.stmt.rangeJson.get(from, to) ?? '[]';
  }

  storedEventsAfter(from: number, limit: number): RawStoredEvent[] {
    return this.stmt.stored.all(from, limit);
  }

  rangeSummary(from: number, to: number): { count: number; last?: { position: string; recordedAt: string } } {
    const last = this.stmt.lastOf.get(from, to);
    if (!last) return { count: 0 };
    return {
      count: this.stmt.count.get(from, to) ?? 0,
      last: { position: String(last.position), recordedAt: last.recorded_at },
    };
  }

  streamIdsAfter(after: string, limit: number): string[] {
    return this.stmt.streamIdsAfter.all(after, limit);
  }

  streamEvents(streamIds: readonly string[], upTo: number): RawStreamEvent[] {
    if (streamIds.length === 0) return [];
    return this.streamsStatement(streamIds.length).all(...streamIds, upTo) as RawStreamEvent[];
  }

  private streamsStatement(count: number): Database.Statement {
    let statement = this.byStreams.get(count);
    if (!statement) {
      const list = new Array(count).fill('?').join(', ');
      statement = this.db
        .prepare(
          `SELECT ${RAW_STREAM_EVENT} FROM events WHERE stream_id IN (${list}) AND position <= ? ORDER BY stream_id, revision`,
        )
        .raw(true);
      this.byStreams.set(count, statement);
    }
    return statement;
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.reads.readStream(streamId, options);
  }

  async readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.reads.readAll(options);
  }

  async headPosition(): Promise<Position | undefined> {
    return this.reads.headPosition();
  }

  comparePositions(a: Position, b: Position): number {
    return Number(parseSqlitePosition(a)) - Number(parseSqlitePosition(b));
  }

  parsePosition(text: string): Position {
    return parseSqlitePosition(text);
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
