import type Database from 'better-sqlite3';
import type {
  AppendOptions,
  AppendResult,
  CommandRecord,
  EventStore,
  EventToAppend,
  Position,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port';
import type { FastLog } from '../fast-log.port';
import { BatchWriter } from './batch-writer';
import { parseSqlitePosition } from './event-rows';
import { GroupCommit, type SqliteEventStoreStats } from './group-commit';
import { LogReads } from './log-reads';
import { SqliteFastLog } from './sqlite-fast-log';
import { openLogDatabase } from './sqlite-schema';
import { SqliteSubscription } from './sqlite-subscription';

export type { SqliteEventStoreStats } from './group-commit';

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
  /**
   * Most MiB of the file's pages this connection keeps (SQLite's page cache). Default 64, for the
   * connection that appends; one that mostly follows the log (a thread's projector or ledger
   * keeper) needs far less, as it reads the newest pages once.
   */
  pageCacheMiB?: number;
}

/**
 * The embedded event store: one SQLite file in WAL mode with synchronous=FULL, so an append is
 * acknowledged only after its transaction reached the disk. Appends are group-committed
 * (group-commit.ts, batch-writer.ts); reads (log-reads.ts) and subscriptions
 * (sqlite-subscription.ts) use the same connection. On a file, the store has a fast log
 * (sqlite-fast-log.ts) that other connections and threads read with SQLite itself.
 */
export class SqliteEventStore implements EventStore {
  private closed = false;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly pollIntervalMs: number;
  private readonly pageSize: number;
  private readonly reads: LogReads;
  private readonly appends: GroupCommit;
  /** The file holding the log (or ':memory:'). */
  readonly file: string;
  /** Absent for ':memory:', which no other connection can open. */
  readonly fastLog: FastLog | undefined;

  private constructor(
    private readonly db: Database.Database,
    options: SqliteEventStoreOptions,
  ) {
    this.file = options.file;
    this.pollIntervalMs = options.pollIntervalMs ?? 150;
    this.pageSize = options.pageSize ?? 1000;
    this.reads = new LogReads(db);
    this.appends = new GroupCommit(new BatchWriter(db), {
      maxBatchSize: options.maxBatchSize ?? 1000,
      isOpen: () => this.db.open,
      onCommitted: () => {
        for (const subscription of this.subscriptions) subscription.notify();
      },
    });
    this.fastLog = options.file === ':memory:' ? undefined : new SqliteFastLog(options.file);
  }

  static async open(options: SqliteEventStoreOptions): Promise<SqliteEventStore> {
    return new SqliteEventStore(openLogDatabase(options.file, options.busyTimeoutMs ?? 5000, options.pageCacheMiB), options);
  }

  append(streamId: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    return this.appends.append(streamId, events, options);
  }

  async findCommand(commandId: string): Promise<CommandRecord | undefined> {
    this.assertOpen();
    return this.reads.findCommand(commandId);
  }

  async findEvent(eventId: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    return this.reads.findEvent(eventId);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.reads.readStream(streamId, options);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    return this.reads.readAll(options);
  }

  async headPosition(): Promise<Position | undefined> {
    this.assertOpen();
    return this.reads.headPosition();
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    this.assertOpen();
    const after = options.afterPosition === undefined ? 0 : Number(this.parsePosition(options.afterPosition));
    const subscription = new SqliteSubscription({
      afterPosition: after,
      pollIntervalMs: this.pollIntervalMs,
      readAfter: (position) => (this.db.open ? this.reads.readAfter(position, this.pageSize) : []),
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
    return parseSqlitePosition(text);
  }

  /** Counters since this instance opened. */
  stats(): SqliteEventStoreStats {
    return this.appends.stats();
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
    this.appends.drain();
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the event store is closed');
  }
}
