import { openReadModelStore, ReadModelStore } from '@agreements/read-models';
import type { AppConfig } from '../config/config';

/** The read models the configuration names: PostgreSQL (in DATABASE_SCHEMA) when DATABASE_URL is set, else SQLite in DATA_DIR. */
export function openReadModels(config: AppConfig): Promise<ReadModelStore> {
  return openReadModelStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.databaseUrl ? config.databaseSchema : undefined,
  });
}
