import type { Db, Sql, SqlFlavor } from './sql';

/**
 * Every read model lives in a *generation*: a set of tables named rm_g{n}_*. Live projection
 * writes the active generation; a rebuild fills a new one while the active one keeps serving, and
 * switches over by changing one row (rm_state.active_generation) in one transaction.
 */
export interface GenerationTables {
  generation: number;
  /** A reduced copy of every agreement and process event, to fold asOf / knownAt answers from. */
  events: string;
  /** One row per agreement: the current view (JSON) and the columns the list filters on. */
  agreements: string;
  /** (party_id, agreement_id) for `party=`: each party, and each member of a group party (migration 3). */
  parties: string;
  /** Status intervals in business time, for `inForceOn=`. */
  intervals: string;
  /** One row per process: the current view (JSON). */
  processes: string;
  /** The working groups currently serving each agreement (from the processes' current views). */
  workingGroups: string;
  /** Every process that ever (in any recorded version) named the agreement in a working group: asOf / knownAt look there. */
  links: string;
}

export function generationTables(generation: number): GenerationTables {
  if (!Number.isSafeInteger(generation) || generation < 1) throw new Error(`invalid read-model generation ${generation}`);
  const p = `rm_g${generation}_`;
  return {
    generation,
    events: `${p}events`,
    agreements: `${p}agreements`,
    parties: `${p}parties`,
    intervals: `${p}intervals`,
    processes: `${p}processes`,
    workingGroups: `${p}working_groups`,
    links: `${p}links`,
  };
}

/** Ids and ISO instants compare byte-wise on both engines (PostgreSQL's default collation would not). */
function keyType(flavor: SqlFlavor): string {
  return flavor === 'postgres' ? 'TEXT COLLATE "C"' : 'TEXT';
}

export async function createGenerationTables(sql: Sql, db: Db, generation: number): Promise<void> {
  const t = generationTables(generation);
  const key = keyType(sql.flavor);
  const clustered = sql.flavor === 'sqlite' ? ' WITHOUT ROWID' : '';
  await sql.exec(
    db,
    `
    CREATE TABLE ${t.events} (
      stream_id   ${key} NOT NULL,
      revision    INTEGER NOT NULL,
      position    TEXT NOT NULL,
      event_id    TEXT NOT NULL,
      type        TEXT NOT NULL,
      data        TEXT NOT NULL,
      occurred_at TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      sources     TEXT NOT NULL,
      schema_version INTEGER NOT NULL DEFAULT 1
    );
    CREATE TABLE ${t.agreements} (
      agreement_id ${key} PRIMARY KEY,
      revision     INTEGER NOT NULL,
      status       ${key} NOT NULL,
      kind         ${key} NOT NULL,
      process_id   ${key},
      view         TEXT NOT NULL
    );
    CREATE TABLE ${t.parties} (
      party_id     ${key} NOT NULL,
      agreement_id ${key} NOT NULL,
      PRIMARY KEY (party_id, agreement_id)
    )${clustered};
    CREATE TABLE ${t.intervals} (
      agreement_id ${key} NOT NULL,
      seq          INTEGER NOT NULL,
      status       ${key} NOT NULL,
      from_at      ${key} NOT NULL,
      to_at        ${key},
      event_id     TEXT NOT NULL,
      PRIMARY KEY (agreement_id, seq)
    )${clustered};
    CREATE TABLE ${t.processes} (
      process_id ${key} PRIMARY KEY,
      revision   INTEGER NOT NULL,
      status     ${key} NOT NULL,
      view       TEXT NOT NULL
    );
    CREATE TABLE ${t.workingGroups} (
      agreement_id     ${key} NOT NULL,
      process_id       ${key} NOT NULL,
      seq              INTEGER NOT NULL,
      working_group_id ${key} NOT NULL,
      name             TEXT NOT NULL,
      status           ${key} NOT NULL,
      PRIMARY KEY (agreement_id, process_id, seq)
    )${clustered};
    CREATE TABLE ${t.links} (
      agreement_id ${key} NOT NULL,
      process_id   ${key} NOT NULL,
      PRIMARY KEY (agreement_id, process_id)
    )${clustered}
    `,
  );
}

/**
 * Secondary indexes, and the event copy's (stream_id, revision) key. A rebuild creates them after
 * loading (building an index once is much cheaper than maintaining it through a million inserts
 * in random order), before it switches over.
 */
export async function createGenerationIndexes(sql: Sql, db: Db, generation: number): Promise<void> {
  const t = generationTables(generation);
  await sql.exec(
    db,
    `
    CREATE UNIQUE INDEX IF NOT EXISTS ${t.events}_by_stream ON ${t.events} (stream_id, revision);
    CREATE INDEX IF NOT EXISTS ${t.agreements}_by_status ON ${t.agreements} (status, agreement_id);
    CREATE INDEX IF NOT EXISTS ${t.agreements}_by_kind ON ${t.agreements} (kind, agreement_id);
    CREATE INDEX IF NOT EXISTS ${t.agreements}_by_process ON ${t.agreements} (process_id, agreement_id);
    CREATE INDEX IF NOT EXISTS ${t.parties}_by_agreement ON ${t.parties} (agreement_id);
    CREATE INDEX IF NOT EXISTS ${t.workingGroups}_by_process ON ${t.workingGroups} (process_id)
    `,
  );
}

export async function dropGenerationTables(sql: Sql, db: Db, generation: number): Promise<void> {
  const t = generationTables(generation);
  const tables = [t.events, t.agreements, t.parties, t.intervals, t.processes, t.workingGroups, t.links];
  await sql.exec(db, tables.map((table) => `DROP TABLE IF EXISTS ${table}`).join(';'));
}

export interface Migration {
  version: number;
  name: string;
  up(sql: Sql, db: Db): Promise<void>;
}

/**
 * Versioned, applied in order at start, each in the transaction that records it in rm_migrations.
 * A later change to the generation tables adds a migration here that alters the active
 * generation (or asks for a rebuild); createGenerationTables always makes the newest shape.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'generations and the first generation of read models',
    async up(sql, db) {
      const key = keyType(sql.flavor);
      await sql.exec(
        db,
        `
        CREATE TABLE rm_state (
          id                INTEGER PRIMARY KEY,
          active_generation INTEGER NOT NULL
        );
        CREATE TABLE rm_generations (
          generation       INTEGER PRIMARY KEY,
          status           ${key} NOT NULL,
          checkpoint       TEXT,
          last_recorded_at TEXT,
          events_applied   BIGINT NOT NULL,
          created_at       TEXT NOT NULL,
          activated_at     TEXT,
          updated_at       TEXT
        )
        `,
      );
      await createGenerationTables(sql, db, 1);
      await createGenerationIndexes(sql, db, 1);
      const now = new Date().toISOString();
      await sql.run(db, 'INSERT INTO rm_state (id, active_generation) VALUES (1, 1)');
      await sql.run(
        db,
        `INSERT INTO rm_generations (generation, status, checkpoint, last_recorded_at, events_applied, created_at, activated_at, updated_at)
         VALUES (1, 'active', NULL, NULL, 0, ?, ?, ?)`,
        [now, now, now],
      );
    },
  },
  {
    version: 2,
    name: "the event copy keeps each event's schema version (for upcasting); every event copied before was at version 1",
    async up(sql, db) {
      const generations = await sql.all<{ generation: number | string }>(db, 'SELECT generation FROM rm_generations');
      for (const { generation } of generations) {
        const table = generationTables(Number(generation)).events;
        if (!(await lacksColumn(sql, db, table, 'schema_version'))) continue;
        await sql.exec(db, `ALTER TABLE ${table} ADD COLUMN schema_version INTEGER NOT NULL DEFAULT 1`);
      }
    },
  },
  {
    version: 3,
    name: "party= finds an agreement by a group's members too: their party rows, from the views already derived",
    async up(sql, db) {
      const generations = await sql.all<{ generation: number | string }>(db, 'SELECT generation FROM rm_generations');
      for (const { generation } of generations) {
        const t = generationTables(Number(generation));
        if (!(await tableExists(sql, db, t.agreements))) continue;
        // Only views with a group that has members need rows (v1 views have none).
        const rows = await sql.all<{ agreement_id: string; view: string }>(
          db,
          `SELECT agreement_id, view FROM ${t.agreements} WHERE view LIKE '%"members"%'`,
        );
        const partyRows: unknown[][] = [];
        for (const row of rows) {
          const parties = (JSON.parse(row.view) as { parties?: Array<{ members?: Array<{ id: string }> }> }).parties ?? [];
          for (const memberId of new Set(parties.flatMap((party) => (party.members ?? []).map((member) => member.id)))) {
            partyRows.push([memberId, row.agreement_id]);
          }
        }
        await sql.insertMany(db, t.parties, ['party_id', 'agreement_id'], partyRows, 'ON CONFLICT (party_id, agreement_id) DO NOTHING');
      }
    },
  },
];

async function tableExists(sql: Sql, db: Db, table: string): Promise<boolean> {
  if (sql.flavor === 'sqlite') return (await sql.first(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])) !== undefined;
  const exists = await sql.first<{ found: string | null }>(db, 'SELECT to_regclass(?) AS found', [table]);
  return Boolean(exists?.found);
}

/** Whether the table exists without the column (migration 1 makes the newest shape, which has it already). */
async function lacksColumn(sql: Sql, db: Db, table: string, column: string): Promise<boolean> {
  if (sql.flavor === 'sqlite') {
    const exists = await sql.first(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table]);
    return exists !== undefined && (await sql.first(db, 'SELECT name FROM pragma_table_info(?) WHERE name = ?', [table, column])) === undefined;
  }
  const exists = await sql.first<{ found: string | null }>(db, 'SELECT to_regclass(?) AS found', [table]);
  if (!exists?.found) return false;
  const has = await sql.first(
    db,
    'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ?',
    [table, column],
  );
  return has === undefined;
}

export const MIGRATIONS_TABLE = 'rm_migrations';

export function migrationsTableDdl(): string {
  return `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;
}
