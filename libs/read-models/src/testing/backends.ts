// Test support (excluded from the build): the two read-model stores the suites run against.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openReadModelStore, type ReadModelStore, type ReadModelStoreOptions } from '../store/read-model-store';

export type BackendName = 'sqlite' | 'postgres';
export const BACKENDS: BackendName[] = ['sqlite', 'postgres'];

/**
 * The PostgreSQL server every test of the repo uses (README: TEST_DATABASE_URL); each test makes
 * and drops its own schema in it. Never DATABASE_URL: that names a deployment's database.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: BackendName;
  /** What openReadModelStore takes for this backend (a fresh SQLite directory / PostgreSQL schema). */
  options: ReadModelStoreOptions;
  /** A scratch directory (the event store goes there too). */
  dir: string;
  open(): Promise<ReadModelStore>;
  /** Closes every store it opened, drops the schema, removes the directory. */
  cleanup(): Promise<void>;
}

export async function createBackend(name: BackendName): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), `read-models-${name}-`));
  const schema = `rm_test_${randomBytes(6).toString('hex')}`;
  const options: ReadModelStoreOptions =
    name === 'sqlite' ? { dataDir: join(dir, 'data') } : { databaseUrl: TEST_DATABASE_URL, pgSchema: schema, poolSize: 4 };
  const opened: ReadModelStore[] = [];
  return {
    name,
    options,
    dir,
    async open() {
      const store = await openReadModelStore(options);
      opened.push(store);
      return store;
    },
    async cleanup() {
      for (const store of opened) await store.close();
      if (name === 'postgres') await dropSchema(schema);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new Client({ connectionString: TEST_DATABASE_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${(err as Error).message}); start it or set TEST_DATABASE_URL`);
  }
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
