import type Database from 'better-sqlite3';

/** Most rows one multi-row INSERT carries (a power of two). */
const MAX_ROWS_PER_INSERT = 64;

export interface MultiRowInsert {
  sql: string;
  /** Values per row. */
  width: number;
}

// The inserts of a batch (BatchWriter.writeBatch). Positions are given explicitly, the ones
// AUTOINCREMENT would have chosen (it still records them in sqlite_sequence), so that they are
// known before the rows are written. OR ROLLBACK: a violated constraint ends the whole
// transaction, which the writer then rolls back anyway; with the default (ABORT) SQLite would have
// to journal every page a multi-row statement touches so as to undo just that statement, which
// costs about as much as the savepoints the fast path avoids.
export const EVENT_INSERT: MultiRowInsert = {
  sql: 'INSERT OR ROLLBACK INTO events (position, stream_id, revision, event_id, type, data, metadata, recorded_at)',
  width: 8,
};
export const COMMAND_INSERT: MultiRowInsert = {
  sql: 'INSERT OR ROLLBACK INTO commands (command_id, request_hash, stream_id, result, recorded_at)',
  width: 5,
};

/** Inserts many rows with few statements, each prepared once per row count. */
export class MultiRowInserter {
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: Database.Database) {}

  /** `values` holds whole rows of `insert`; inserted in order, up to MAX_ROWS_PER_INSERT a statement. */
  insertRows(insert: MultiRowInsert, values: unknown[]): void {
    const rows = values.length / insert.width;
    let done = 0;
    while (done < rows) {
      // Statements for 1, 2, 4, ... MAX_ROWS_PER_INSERT rows, so a handful of them serves any batch.
      let count = MAX_ROWS_PER_INSERT;
      while (count > rows - done) count >>= 1;
      const statement = this.statement(insert, count);
      statement.run(
        done === 0 && count === rows ? values : values.slice(done * insert.width, (done + count) * insert.width),
      );
      done += count;
    }
  }

  private statement(insert: MultiRowInsert, count: number): Database.Statement {
    const key = `${insert.sql}/${count}`;
    let statement = this.statements.get(key);
    if (!statement) {
      const row = `(${new Array<string>(insert.width).fill('?').join(', ')})`;
      statement = this.db.prepare(`${insert.sql} VALUES ${new Array<string>(count).fill(row).join(', ')}`);
      this.statements.set(key, statement);
    }
    return statement;
  }
}
