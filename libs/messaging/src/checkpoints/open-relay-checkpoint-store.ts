import { join } from 'node:path';
import type { RelayCheckpointStore } from './relay-checkpoint-store';
import { PostgresRelayCheckpointStore } from './postgres-relay-checkpoint-store';
import { SqliteRelayCheckpointStore } from './sqlite-relay-checkpoint-store';

export interface OpenRelayCheckpointStoreOptions {
  /** `DATA_DIR`: the SQLite file is `relay.sqlite` in it. */
  dataDir: string;
  /** `DATABASE_URL`: PostgreSQL when set. */
  databaseUrl?: string;
  /** PostgreSQL schema of the table; the connection's search_path when omitted. */
  pgSchema?: string;
}

/** PostgreSQL when a database URL is given, else `DATA_DIR/relay.sqlite`. */
export function openRelayCheckpointStore(options: OpenRelayCheckpointStoreOptions): Promise<RelayCheckpointStore> {
  if (options.databaseUrl) {
    return PostgresRelayCheckpointStore.open({ connectionString: options.databaseUrl, schema: options.pgSchema });
  }
  return SqliteRelayCheckpointStore.open({ file: join(options.dataDir, 'relay.sqlite') });
}
