import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Position } from '@agreements/event-store';
import type { RelayCheckpointStore } from './relay-checkpoint-store';

/** The embedded default: a tiny table in `DATA_DIR/relay.sqlite`. */
export class SqliteRelayCheckpointStore implements RelayCheckpointStore {
  private readonly loadStmt: Database.Statement<[string], string>;
  private readonly saveStmt: Database.Statement<[string, string, string]>;

  private constructor(
    private readonly db: Database.Database,
    readonly description: string,
  ) {
    this.loadStmt = db.prepare<[string], string>('SELECT position FROM relay_checkpoints WHERE relay_name = ?').pluck();
    this.saveStmt = db.prepare<[string, string, string]>(
      `INSERT INTO relay_checkpoints (relay_name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (relay_name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
  }

  static async open(options: { file: string }): Promise<SqliteRelayCheckpointStore> {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      // A checkpoint lost in a power cut only makes the relay publish a batch again (consumers drop
      // duplicates by ce_id), so the commit need not wait for an fsync.
      db.pragma('synchronous = NORMAL');
      db.exec(`CREATE TABLE IF NOT EXISTS relay_checkpoints (
        relay_name TEXT NOT NULL PRIMARY KEY,
        position   TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
      return new SqliteRelayCheckpointStore(db, `sqlite ${options.file}`);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async load(relayName: string): Promise<Position | undefined> {
    return this.loadStmt.get(relayName);
  }

  async save(relayName: string, position: Position): Promise<void> {
    this.saveStmt.run(relayName, position, new Date().toISOString());
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
