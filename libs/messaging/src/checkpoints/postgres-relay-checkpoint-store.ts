import { Pool } from 'pg';
import type { Position } from '@agreements/event-store';
import type { RelayCheckpointStore } from './relay-checkpoint-store';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresRelayCheckpointStoreOptions {
  connectionString: string;
  /** Schema of the `relay_checkpoints` table (created when missing); the connection's search_path when omitted. */
  schema?: string;
}

/** Production: the `relay_checkpoints` table in PostgreSQL (`DATABASE_URL`). */
export class PostgresRelayCheckpointStore implements RelayCheckpointStore {
  private constructor(
    private readonly pool: Pool,
    private readonly table: string,
    readonly description: string,
  ) {}

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
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresRelayCheckpointStore(pool, table, `postgres ${table}`);
  }

  async load(relayName: string): Promise<Position | undefined> {
    const result = await this.pool.query<{ position: string }>(`SELECT position FROM ${this.table} WHERE relay_name = $1`, [relayName]);
    return result.rows[0]?.position;
  }

  async save(relayName: string, position: Position): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (relay_name, position, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (relay_name) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      [relayName, position],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
