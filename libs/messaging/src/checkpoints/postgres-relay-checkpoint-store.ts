import { Pool } from 'pg';
import type { Position } from '@agreements/event-store';
import type { DeliveredEvent, DeliveryAnswer, EventDelivery } from './event-delivery';
import { deliveriesTable, postgresDeliveriesSchema, readPostgresDeliveries } from './postgres-deliveries';
import type { RelayCheckpointStore } from './relay-checkpoint-store';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresRelayCheckpointStoreOptions {
  connectionString: string;
  /** Schema of the `relay_checkpoints` table (created when missing); the connection's search_path when omitted. */
  schema?: string;
}

/** Production: the `relay_checkpoints` and `relay_deliveries` tables in PostgreSQL (`DATABASE_URL`). */
export class PostgresRelayCheckpointStore implements RelayCheckpointStore {
  private readonly deliveries: string;

  private constructor(
    private readonly pool: Pool,
    private readonly table: string,
    readonly description: string,
    private readonly schema: string | undefined,
  ) {
    this.deliveries = deliveriesTable(schema);
  }

  static async open(options: PostgresRelayCheckpointStoreOptions): Promise<PostgresRelayCheckpointStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: lower-case letters, digits and _`);
    }
    const pool = new Pool({ connectionString: options.connectionString, max: 2 });
    // An idle connection dropped by the server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    const table = schema === undefined ? 'relay_checkpoints' : `"${schema}".relay_checkpoints`;
    try {
      if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (
        relay_name TEXT NOT NULL PRIMARY KEY,
        position   TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      await pool.query(postgresDeliveriesSchema(schema));
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresRelayCheckpointStore(pool, table, `postgres ${table}`, schema);
  }

  async load(relayName: string): Promise<Position | undefined> {
    const result = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.table} WHERE relay_name = $1`, [relayName]);
    return result.rows[0]?.position;
  }

  async save(relayName: string, position: Position, deliveries: readonly EventDelivery[] = []): Promise<void> {
    const upsert = `INSERT INTO ${this.table} (relay_name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (relay_name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`;
    if (deliveries.length === 0) {
      await this.pool.query(upsert, [relayName, position]);
      return;
    }
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // One statement for the whole batch: the columns travel as arrays.
      await client.query(
        `INSERT INTO ${this.deliveries} (position, event_id, relay_name, topic, partition, kafka_offset, published_at)
         SELECT n, e, $2, t, p, o, a FROM unnest($7::text[], $1::text[], $3::text[], $4::int[], $5::bigint[], $6::timestamptz[]) AS d(n, e, t, p, o, a)`,
        [
          deliveries.map((d) => d.eventId),
          relayName,
          deliveries.map((d) => d.topic),
          deliveries.map((d) => d.partition),
          deliveries.map((d) => d.offset),
          deliveries.map((d) => d.publishedAt),
          deliveries.map((d) => d.position),
        ],
      );
      await client.query(upsert, [relayName, position]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => (broken = true));
      throw error;
    } finally {
      client.release(broken);
    }
  }

  async deliveriesOf(event: DeliveredEvent): Promise<DeliveryAnswer[]> {
    return readPostgresDeliveries(this.pool, this.schema, event);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
