import Database from 'better-sqlite3';
import type {
  FastLog,
  FastLogCopier,
  FastLogCopyTarget,
  FastLogHandle,
  FastLogReader,
  FastLogReaderOptions,
} from '../fast-log.port';
import { openFastLogReader } from './fast-log-reader';
import { identifier, RAW_LOG_EVENT, streamFilter } from './fast-log-sql';

/** The fast log of a SqliteEventStore on a file. */
export class SqliteFastLog implements FastLog {
  readonly handle: FastLogHandle;

  constructor(file: string) {
    this.handle = { kind: 'sqlite', file };
  }

  openReader(options?: FastLogReaderOptions): FastLogReader {
    return openFastLogReader(this.handle, options);
  }

  openCopier(target: FastLogCopyTarget, options?: FastLogReaderOptions): FastLogCopier {
    return new SqliteLogCopier(this.handle.file, target, options);
  }
}

/**
 * A connection to the target file that attaches the log (only read by this connection; WAL lets
 * the store go on writing it) and copies ranges of positions with INSERT ... SELECT, in log order
 * (a sequential read).
 */
class SqliteLogCopier implements FastLogCopier {
  private readonly db: Database.Database;
  private readonly copy: Database.Statement<[number, number]>;
  private readonly count: Database.Statement<[number], number>;
  private readonly recordedAtOf: Database.Statement<[number], string>;

  constructor(logFile: string, target: FastLogCopyTarget, options?: FastLogReaderOptions) {
    const columns = target.columns.map(identifier).join(', ');
    this.db = new Database(target.file, { timeout: 15_000 });
    try {
      // The target is written in bulk and thrown away if the copy fails (a rebuild's new
      // generation): its commits need not wait for the disk.
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('cache_size = -131072');
      this.db.prepare('ATTACH DATABASE ? AS log').run(logFile);
      this.copy = this.db.prepare(
        `INSERT INTO main.${identifier(target.table)} (${columns})
         SELECT ${RAW_LOG_EVENT} FROM log.events WHERE position > ? AND position <= ? AND ${streamFilter(options)} ORDER BY position`,
      );
      this.count = this.db.prepare<[number], number>('SELECT COUNT(*) FROM log.events WHERE position <= ?').pluck();
      this.recordedAtOf = this.db
        .prepare<[number], string>('SELECT recorded_at FROM log.events WHERE position = ?')
        .pluck();
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  copyRange(from: number, to: number): number {
    return Number(this.db.transaction(() => this.copy.run(from, to).changes)());
  }

  countUpTo(position: number): number {
    return this.count.get(position) ?? 0;
  }

  recordedAt(position: number): string | undefined {
    return this.recordedAtOf.get(position);
  }

  close(): void {
    this.db.close();
  }
}
