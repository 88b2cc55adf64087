import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import type { DeliveredEvent, DeliveryAnswer, DeliveryReader } from './event-delivery';
import { readPostgresDeliveries } from './postgres-deliveries';
import { readDeliveriesStatement, toDeliveryAnswer } from './sqlite-deliveries';
import type { OpenRelayCheckpointStoreOptions } from './open-relay-checkpoint-store';

/**
 * The API's reader of the delivery record, wherever the relay writes it: the relay's checkpoint
 * store is PostgreSQL when DATABASE_URL is set, else DATA_DIR/relay.sqlite (see
 * openRelayCheckpointStore), whether the relay runs in the API process or as apps/relay. It
 * creates nothing: until a relay has written there, every event has no delivery.
 */
export function openDeliveryReader(options: OpenRelayCheckpointStoreOptions): DeliveryReader {
  if (options.databaseUrl) return new PostgresDeliveryReader(options.databaseUrl, options.pgSchema);
  return new SqliteDeliveryReader(join(options.dataDir, 'relay.sqlite'));
}

class PostgresDeliveryReader implements DeliveryReader {
  private readonly pool: Pool;

  constructor(connectionString: string, private readonly schema: string | undefined) {
    this.pool = new Pool({ connectionString, max: 2 });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  deliveriesOf(event: DeliveredEvent): Promise<DeliveryAnswer[]> {
    return readPostgresDeliveries(this.pool, this.schema, event);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

class SqliteDeliveryReader implements DeliveryReader {
  private db: Database.Database | undefined;
  private read: ReturnType<typeof readDeliveriesStatement> | undefined;

  constructor(private readonly file: string) {}

  async deliveriesOf(event: DeliveredEvent): Promise<DeliveryAnswer[]> {
    const read = this.open();
    return read ? read.all(event.position, event.eventId).map(toDeliveryAnswer) : [];
  }

  /** Opened on first need: the relay creates the file (and its tables) when it first starts. */
  private open(): ReturnType<typeof readDeliveriesStatement> | undefined {
    if (this.read) return this.read;
    if (!existsSync(this.file)) return undefined;
    const db = new Database(this.file, { fileMustExist: true, timeout: 5000 });
    try {
      this.read = readDeliveriesStatement(db);
      this.db = db;
      return this.read;
    } catch (error) {
      db.close();
      // The relay created the file but not yet its delivery table (or an older relay made it).
      if (/no such table/.test((error as Error).message)) return undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.read = undefined;
    if (this.db?.open) this.db.close();
    this.db = undefined;
  }
}
