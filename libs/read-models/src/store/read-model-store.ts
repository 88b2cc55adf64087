import type { ReadModelQueries } from '../read-model.port';
import { SqlReadModelQueries } from '../queries/sql-read-model-queries';
import { openConnections, type ReadModelStoreOptions } from './connections';
import { type GenerationInfo, type GenerationRow, isMissingTable, toGenerationInfo } from './generation-info';
import {
  createGenerationIndexes,
  createGenerationTables,
  dropGenerationTables,
  type GenerationTables,
  generationTables,
} from './schema';
import type { Db, Sql, SqlFlavor } from './sql';

export type { ReadModelStoreOptions } from './connections';
export { type GenerationInfo, isMissingTable } from './generation-info';

const GENERATION_TTL_MS = 1_000;

/**
 * The read-model store: SQLite (embedded default) or PostgreSQL, one code path over Kysely.
 * Holds the tables of every generation, the migrations, and the queries the API calls.
 */
export class ReadModelStore {
  readonly queries: ReadModelQueries;
  private cachedGeneration: { generation: number; readAt: number } | undefined;
  private closed = false;

  private constructor(
    readonly flavor: SqlFlavor,
    readonly sql: Sql,
    /** Projection writes (one connection at a time, in transactions). */
    readonly writer: Db,
    /** Queries. On SQLite a second connection, so reads never wait for a projection batch (WAL). */
    readonly reader: Db,
    /** Where the data is, for logs: the SQLite file or the PostgreSQL schema. */
    readonly location: string,
  ) {
    this.queries = new SqlReadModelQueries(this);
  }

  static async open(options: ReadModelStoreOptions): Promise<ReadModelStore> {
    const c = await openConnections(options);
    return new ReadModelStore(c.flavor, c.sql, c.writer, c.reader, c.location);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.destroy();
    if (this.reader !== this.writer) await this.reader.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  // -----------------------------------------------------------------------------------------------
  // Generations

  /** The generation queries read, cached briefly; `fresh` reads it again. */
  async activeGeneration(fresh = false): Promise<number> {
    const now = Date.now();
    if (!fresh && this.cachedGeneration && now - this.cachedGeneration.readAt < GENERATION_TTL_MS) {
      return this.cachedGeneration.generation;
    }
    const row = await this.sql.first<{ active_generation: number | string }>(
      this.reader,
      'SELECT active_generation FROM rm_state WHERE id = 1',
    );
    if (!row) throw new Error('read-model store is not initialised (rm_state is empty)');
    const generation = Number(row.active_generation);
    this.cachedGeneration = { generation, readAt: now };
    return generation;
  }

  /**
   * Runs a read against the active generation's tables. When a rebuild switched generations and
   * dropped the tables this process still thought active, it reads the pointer again and retries.
   */
  async withActiveTables<T>(run: (tables: GenerationTables, db: Db) => Promise<T>): Promise<T> {
    const generation = await this.activeGeneration();
    try {
      return await run(generationTables(generation), this.reader);
    } catch (error) {
      if (!isMissingTable(error)) throw error;
      const fresh = await this.activeGeneration(true);
      if (fresh === generation) throw error;
      return run(generationTables(fresh), this.reader);
    }
  }

  async generationInfo(generation: number, db: Db = this.reader): Promise<GenerationInfo | undefined> {
    const row = await this.sql.first<GenerationRow>(db, 'SELECT * FROM rm_generations WHERE generation = ?', [
      generation,
    ]);
    return row ? toGenerationInfo(row) : undefined;
  }

  async generations(): Promise<GenerationInfo[]> {
    const rows = await this.sql.all<GenerationRow>(this.reader, 'SELECT * FROM rm_generations ORDER BY generation');
    return rows.map(toGenerationInfo);
  }

  /** The active generation and its checkpoint, read together. */
  async activeCheckpoint(): Promise<{
    generation: number;
    checkpoint: string | undefined;
    lastRecordedAt: string | undefined;
  }> {
    const row = await this.sql.first<{
      generation: number | string;
      checkpoint: string | null;
      last_recorded_at: string | null;
    }>(
      this.reader,
      `SELECT g.generation, g.checkpoint, g.last_recorded_at
         FROM rm_state s JOIN rm_generations g ON g.generation = s.active_generation
        WHERE s.id = 1`,
    );
    if (!row) throw new Error('read-model store is not initialised');
    const generation = Number(row.generation);
    this.cachedGeneration = { generation, readAt: Date.now() };
    return { generation, checkpoint: row.checkpoint ?? undefined, lastRecordedAt: row.last_recorded_at ?? undefined };
  }

  /**
   * A write transaction that holds the store's write lock from its first statement: SQLite's
   * BEGIN IMMEDIATE, PostgreSQL's row lock on rm_state (see lockState). Either every write of
   * `work` and the checkpoint commit, or none.
   */
  async writeTransaction<T>(work: (db: Db) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the read-model store is closed');
    return this.writer.connection().execute(async (db) => {
      await this.sql.run(db, this.flavor === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
      let result: T;
      try {
        result = await work(db);
      } catch (error) {
        try {
          await this.sql.run(db, 'ROLLBACK');
        } catch {
          // The transaction may already be gone with the connection; the original error matters.
        }
        throw error;
      }
      await this.sql.run(db, 'COMMIT');
      return result;
    });
  }

  /**
   * Inside a write transaction: the active generation, locked until commit so a switch-over
   * (which updates that row) waits for a batch in progress and the other way round.
   */
  async lockState(db: Db): Promise<number> {
    const row = await this.sql.first<{ active_generation: number | string }>(
      db,
      `SELECT active_generation FROM rm_state WHERE id = 1${this.flavor === 'postgres' ? ' FOR UPDATE' : ''}`,
    );
    if (!row) throw new Error('read-model store is not initialised');
    return Number(row.active_generation);
  }

  /** A new, empty generation for a rebuild (tables without secondary indexes yet). Leftovers of interrupted rebuilds are dropped. */
  async createBuildingGeneration(): Promise<{ generation: number; droppedLeftovers: number[] }> {
    const leftovers = (await this.generations()).filter((g) => g.status !== 'active').map((g) => g.generation);
    for (const generation of leftovers) await this.dropGeneration(generation);
    return this.writeTransaction(async (db) => {
      const active = await this.lockState(db);
      const max = await this.sql.first<{ max: number | string | null }>(
        db,
        'SELECT MAX(generation) AS max FROM rm_generations',
      );
      const generation = Math.max(active, Number(max?.max ?? 0)) + 1;
      await dropGenerationTables(this.sql, db, generation);
      await createGenerationTables(this.sql, db, generation);
      const now = new Date().toISOString();
      await this.sql.run(
        db,
        `INSERT INTO rm_generations (generation, status, checkpoint, last_recorded_at, events_applied, created_at, activated_at, updated_at)
         VALUES (?, 'building', NULL, NULL, 0, ?, NULL, ?)`,
        [generation, now, now],
      );
      return { generation, droppedLeftovers: leftovers };
    });
  }

  async createIndexes(generation: number): Promise<void> {
    await this.writeTransaction(async (db) => {
      if (this.flavor === 'postgres') await this.sql.run(db, `SET LOCAL maintenance_work_mem = '256MB'`);
      await createGenerationIndexes(this.sql, db, generation);
    });
  }

  /** Removes a generation's tables and its row (never the active one). */
  async dropGeneration(generation: number): Promise<void> {
    await this.writeTransaction(async (db) => {
      const active = await this.lockState(db);
      if (active === generation) throw new Error(`generation ${generation} is active: it cannot be dropped`);
      await dropGenerationTables(this.sql, db, generation);
      await this.sql.run(db, 'DELETE FROM rm_generations WHERE generation = ?', [generation]);
    });
  }

  /** Points queries and the live projector at another generation (inside a write transaction). */
  async activate(db: Db, generation: number): Promise<number> {
    const previous = await this.lockState(db);
    const now = new Date().toISOString();
    await this.sql.run(db, 'UPDATE rm_state SET active_generation = ? WHERE id = 1', [generation]);
    await this.sql.run(
      db,
      `UPDATE rm_generations SET status = 'active', activated_at = ?, updated_at = ? WHERE generation = ?`,
      [now, now, generation],
    );
    await this.sql.run(db, `UPDATE rm_generations SET status = 'retired', updated_at = ? WHERE generation = ?`, [
      now,
      previous,
    ]);
    return previous;
  }

  /** After this process switched generations: read the pointer again at the next query. */
  forgetActiveGeneration(): void {
    this.cachedGeneration = undefined;
  }
}

export async function openReadModelStore(options: ReadModelStoreOptions): Promise<ReadModelStore> {
  return ReadModelStore.open(options);
}
