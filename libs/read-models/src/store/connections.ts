import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { Pool } from 'pg';
import { migrate } from './migrate';
import { type Db, Sql, type SqlFlavor } from './sql';

export interface ReadModelStoreOptions {
  /** Where the embedded store keeps its file (read-models.sqlite), when databaseUrl is not set. */
  dataDir?: string;
  /** PostgreSQL connection string (DATABASE_URL): when set, the read models live there. */
  databaseUrl?: string;
  /** PostgreSQL schema holding the tables (created when missing). Default `read_models`. */
  pgSchema?: string;
  /** Explicit SQLite file instead of {dataDir}/read-models.sqlite (':memory:' is not supported: reads use a second connection). */
  sqliteFile?: string;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
}

/** The read-model store's connections, migrated: what ReadModelStore runs on. */
export interface ReadModelConnections {
  flavor: SqlFlavor;
  sql: Sql;
  /** Projection writes (one connection at a time, in transactions). */
  writer: Db;
  /** Queries. On SQLite a second connection, so reads never wait for a projection batch (WAL). */
  reader: Db;
  /** Where the data is, for logs: the SQLite file or the PostgreSQL schema. */
  location: string;
}

const PG_SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

export function openConnections(options: ReadModelStoreOptions): Promise<ReadModelConnections> {
  return options.databaseUrl ? openPostgres(options) : openSqlite(options);
}

async function openSqlite(options: ReadModelStoreOptions): Promise<ReadModelConnections> {
  const file = options.sqliteFile ?? (options.dataDir ? join(options.dataDir, 'read-models.sqlite') : undefined);
  if (!file || file === ':memory:') throw new Error('the SQLite read-model store needs dataDir (or a sqliteFile path)');
  if (!options.sqliteFile && options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const writerDb = new Database(file, { timeout: 15_000 });
  // WAL: queries (another connection, maybe another process) read while a batch is written.
  // synchronous=NORMAL: a commit survives a crash of the process; a power cut may lose the last
  // batches, which the projector then applies again from its (equally older) checkpoint.
  writerDb.pragma('journal_mode = WAL');
  writerDb.pragma('synchronous = NORMAL');
  writerDb.pragma('cache_size = -65536');
  writerDb.pragma('temp_store = MEMORY');
  const sql = new Sql('sqlite');
  const writer = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(writerDb) }) });
  let reader: Kysely<any> | undefined;
  try {
    await migrate(sql, writer, undefined);
    const readerDb = new Database(file, { timeout: 15_000 });
    readerDb.pragma('cache_size = -32768');
    readerDb.pragma('query_only = ON');
    reader = new Kysely<any>({ dialect: new SqliteDialect({ database: withStatementCache(readerDb) }) });
    return { flavor: 'sqlite', sql, writer, reader, location: file };
  } catch (error) {
    await reader?.destroy();
    await writer.destroy();
    throw error;
  }
}

async function openPostgres(options: ReadModelStoreOptions): Promise<ReadModelConnections> {
  const schema = options.pgSchema ?? 'read_models';
  if (!PG_SCHEMA_PATTERN.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}`);
  const pool = new Pool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    // Every connection resolves the unqualified table names in our schema.
    options: `-c search_path=${schema}`,
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  const sql = new Sql('postgres');
  try {
    await migrate(sql, db, schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return { flavor: 'postgres', sql, writer: db, reader: db, location: `postgres schema ${schema}` };
}

/**
 * Kysely's SQLite driver prepares every statement it runs; the projection runs the same few
 * statements thousands of times, so prepared statements are kept by their text.
 */
function withStatementCache(db: Database.Database) {
  const statements = new Map<string, Database.Statement>();
  return {
    close: () => db.close(),
    prepare(text: string) {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = db.prepare(text);
        if (statements.size >= 300) statements.delete(statements.keys().next().value as string);
        statements.set(text, statement);
      }
      return statement;
    },
  };
}
