import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Position } from '@agreements/event-store';
import type { DeliveredEvent, DeliveryAnswer, EventDelivery } from './event-delivery';
import type { RelayCheckpointStore } from './relay-checkpoint-store';
import { DELIVERY_COLUMNS, readDeliveriesStatement, SQLITE_DELIVERIES_SCHEMA, toDeliveryAnswer } from './sqlite-deliveries';

/** Rows per INSERT statement: one statement per few hundred rows costs less than one per row. */
const ROWS_PER_INSERT = 200;

/** The embedded default: two tiny tables in `DATA_DIR/relay.sqlite`. */
export class SqliteRelayCheckpointStore implements RelayCheckpointStore {
  private readonly loadStmt: Database.Statement<[string], string>;
  private readonly saveStmt: Database.Statement<[string, string, string]>;
  private readonly insertMany: Database.Statement<unknown[]>;
  private readonly insertOne: Database.Statement<unknown[]>;
  private readonly readDeliveries: ReturnType<typeof readDeliveriesStatement>;
  private readonly saveAll: (relayName: string, position: string, deliveries: readonly EventDelivery[]) => void;

  private constructor(
    private readonly db: Database.Database,
    readonly description: string,
  ) {
    this.loadStmt = db.prepare<[string], string>('SELECT position FROM relay_checkpoints WHERE relay_name = ?').pluck();
    this.saveStmt = db.prepare<[string, string, string]>(
      `INSERT INTO relay_checkpoints (relay_name, position, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (relay_name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
    );
    const row = `(${DELIVERY_COLUMNS.map(() => '?').join(', ')})`;
    const insert = `INSERT INTO relay_deliveries (${DELIVERY_COLUMNS.join(', ')}) VALUES `;
    this.insertMany = db.prepare<unknown[]>(insert + Array.from({ length: ROWS_PER_INSERT }, () => row).join(', '));
    this.insertOne = db.prepare<unknown[]>(insert + row);
    this.readDeliveries = readDeliveriesStatement(db);
    this.saveAll = db.transaction((relayName: string, position: string, deliveries: readonly EventDelivery[]) => {
      const at = (d: EventDelivery) => [d.position, d.eventId, relayName, d.topic, d.partition, d.offset, d.publishedAt];
      let i = 0;
      for (; i + ROWS_PER_INSERT <= deliveries.length; i += ROWS_PER_INSERT) {
        this.insertMany.run(deliveries.slice(i, i + ROWS_PER_INSERT).flatMap(at));
      }
      for (; i < deliveries.length; i++) this.insertOne.run(at(deliveries[i]));
      this.saveStmt.run(relayName, position, new Date().toISOString());
    });
  }

  static async open(options: { file: string }): Promise<SqliteRelayCheckpointStore> {
    if (options.file !== ':memory:') mkdirSync(dirname(options.file), { recursive: true });
    const db = new Database(options.file, { timeout: 5000 });
    try {
      db.pragma('journal_mode = WAL');
      // A checkpoint lost in a power cut only makes the relay publish a batch again (consumers drop
      // duplicates by ce_id), so the commit need not wait for an fsync. The deliveries of that
      // batch are lost with it, in the same transaction, and written again when it is re-sent.
      db.pragma('synchronous = NORMAL');
      db.exec(`CREATE TABLE IF NOT EXISTS relay_checkpoints (
        relay_name TEXT NOT NULL PRIMARY KEY,
        position   TEXT NOT NULL,
        updated_at TEXT NOT NULL
      )`);
      db.exec(SQLITE_DELIVERIES_SCHEMA);
      return new SqliteRelayCheckpointStore(db, `sqlite ${options.file}`);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  async load(relayName: string): Promise<Position | undefined> {
    return this.loadStmt.get(relayName);
  }

  async save(relayName: string, position: Position, deliveries: readonly EventDelivery[] = []): Promise<void> {
    this.saveAll(relayName, position, deliveries);
  }

  async deliveriesOf(event: DeliveredEvent): Promise<DeliveryAnswer[]> {
    return this.readDeliveries.all(event.position, event.eventId).map(toDeliveryAnswer);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
