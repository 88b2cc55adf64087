import { MIGRATIONS, MIGRATIONS_TABLE, migrationsTableDdl } from './schema';
import type { Db, Sql } from './sql';

/** Brings the store's tables to this build's newest migration, in one transaction; refuses a store a newer build migrated. */
export async function migrate(sql: Sql, db: Db, pgSchema: string | undefined): Promise<void> {
  await db.connection().execute(async (conn) => {
    await sql.run(conn, sql.flavor === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN');
    try {
      if (pgSchema !== undefined) {
        // Several processes may start at once: one migrates, the others wait and find it done.
        await sql.run(conn, `SELECT pg_advisory_xact_lock(hashtext('agreements-read-models:' || ?))`, [pgSchema]);
        await sql.run(conn, `CREATE SCHEMA IF NOT EXISTS "${pgSchema}"`);
      }
      await sql.exec(conn, migrationsTableDdl());
      const applied = new Set(
        (await sql.all<{ version: number | string }>(conn, `SELECT version FROM ${MIGRATIONS_TABLE}`)).map((row) =>
          Number(row.version),
        ),
      );
      const known = Math.max(...MIGRATIONS.map((m) => m.version));
      const newest = Math.max(0, ...applied);
      if (newest > known)
        throw new Error(`read-model store is at migration ${newest}; this build knows up to ${known}`);
      for (const migration of MIGRATIONS) {
        if (applied.has(migration.version)) continue;
        await migration.up(sql, conn);
        await sql.run(conn, `INSERT INTO ${MIGRATIONS_TABLE} (version, name, applied_at) VALUES (?, ?, ?)`, [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
      }
      await sql.run(conn, 'COMMIT');
    } catch (error) {
      await sql.run(conn, 'ROLLBACK').catch(() => undefined);
      throw error;
    }
  });
}
