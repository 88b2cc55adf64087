import { CompiledQuery, type Kysely } from 'kysely';

export type SqlFlavor = 'sqlite' | 'postgres';

/** A Kysely instance, or one bound to a single connection (inside a transaction). */
export type Db = Kysely<any>;

// Well under both engines' bound-parameter limits (SQLite 32766, PostgreSQL 65535), and small
// enough that one statement never holds much text in memory.
const MAX_PARAMS_PER_STATEMENT = 16_000;
const MAX_ROWS_PER_STATEMENT = 1_000;
// insertBulk on PostgreSQL: rows and characters of JSON per statement.
const BULK_ROWS_PER_STATEMENT = 20_000;
const BULK_CHARS_PER_STATEMENT = 32 * 1024 * 1024;

/** What insertBulk casts a column's value to (text is taken as it is). */
export type BulkColumnType = 'text' | 'integer';

/**
 * The few SQL differences between the two read-model stores, kept in one place. Every statement
 * of the projection and of the queries is written once, with `?` placeholders, and run through
 * Kysely on either engine; only placeholders (`$1` on PostgreSQL), the write lock and a little
 * DDL differ.
 *
 * Bulk writes are multi-row INSERTs built here rather than with Kysely's builder: at hundreds of
 * thousands of rows per second the builder's per-value nodes cost more than the database does.
 */
export class Sql {
  private readonly converted = new Map<string, string>();

  constructor(readonly flavor: SqlFlavor) {}

  /** `?` placeholders in the dialect's own style. */
  text(query: string): string {
    if (this.flavor === 'sqlite') return query;
    let text = this.converted.get(query);
    if (text === undefined) {
      let n = 0;
      text = query.replace(/\?/g, () => `$${++n}`);
      if (this.converted.size > 2_000) this.converted.clear();
      this.converted.set(query, text);
    }
    return text;
  }

  async all<R>(db: Db, query: string, params: readonly unknown[] = []): Promise<R[]> {
    const result = await db.executeQuery<R>(CompiledQuery.raw(this.text(query), params as unknown[]));
    return result.rows as R[];
  }

  async first<R>(db: Db, query: string, params: readonly unknown[] = []): Promise<R | undefined> {
    const rows = await this.all<R>(db, query, params);
    return rows[0];
  }

  async run(db: Db, query: string, params: readonly unknown[] = []): Promise<number> {
    const result = await db.executeQuery(CompiledQuery.raw(this.text(query), params as unknown[]));
    return Number(result.numAffectedRows ?? 0);
  }

  /** Several DDL statements separated by `;` (no parameters). */
  async exec(db: Db, script: string): Promise<void> {
    for (const statement of script.split(';').map((s) => s.trim())) {
      if (statement.length > 0) await db.executeQuery(CompiledQuery.raw(statement, []));
    }
  }

  /**
   * INSERT of many rows, in as few statements as the parameter limit allows. `tail` is appended
   * to each statement (an ON CONFLICT clause).
   */
  async insertMany(db: Db, table: string, columns: readonly string[], rows: readonly unknown[][], tail = ''): Promise<void> {
    if (rows.length === 0) return;
    const perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS_PER_STATEMENT / columns.length)));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const params: unknown[] = new Array(chunk.length * columns.length);
      let i = 0;
      for (const row of chunk) for (const value of row) params[i++] = value;
      await db.executeQuery(CompiledQuery.raw(this.insertText(table, columns, chunk.length, tail), params));
    }
  }

  /**
   * INSERT of many rows for a bulk load (a rebuild's event copy). On PostgreSQL the rows travel
   * as one jsonb parameter per statement, unpacked by jsonb_array_elements: against multi-row
   * VALUES of 10,000 parameters, PostgreSQL spends about a third less CPU (no huge statement to
   * parse and plan, no parameter to bind one by one) and this process about three quarters less
   * (JSON.stringify instead of the driver serializing each value). `columns` pairs each name with
   * its type, which the text taken out of the JSON is cast to; `tail` is appended to each
   * statement (an ON CONFLICT clause). On SQLite, insertMany.
   */
  async insertBulk(
    db: Db,
    table: string,
    columns: ReadonlyArray<readonly [name: string, type: BulkColumnType]>,
    rows: readonly unknown[][],
    tail = '',
  ): Promise<void> {
    if (this.flavor === 'sqlite') return this.insertMany(db, table, columns.map(([name]) => name), rows, tail);
    if (rows.length === 0) return;
    let parts: string[] = [];
    let chars = 0;
    const flush = async () => {
      await this.insertBulkJson(db, table, columns, `[${parts.join(',')}]`, tail);
      parts = [];
      chars = 0;
    };
    for (const row of rows) {
      const json = JSON.stringify(row);
      parts.push(json);
      chars += json.length + 1;
      // Bounded statements: the text is held twice (here and in the driver's buffer).
      if (parts.length >= BULK_ROWS_PER_STATEMENT || chars >= BULK_CHARS_PER_STATEMENT) await flush();
    }
    if (parts.length > 0) await flush();
  }

  /** insertBulk of rows already written as one JSON array text of arrays (by the database they come from), in one statement. */
  async insertBulkJson(db: Db, table: string, columns: ReadonlyArray<readonly [name: string, type: BulkColumnType]>, json: string, tail = ''): Promise<void> {
    if (this.flavor === 'sqlite') return this.insertMany(db, table, columns.map(([name]) => name), JSON.parse(json) as unknown[][], tail);
    const text = `INSERT INTO ${table} (${columns.map(([name]) => name).join(', ')})
      SELECT ${columns.map(([, type], i) => (type === 'text' ? `r->>${i}` : `(r->>${i})::${type}`)).join(', ')}
        FROM jsonb_array_elements($1::jsonb) AS r ${tail}`;
    await db.executeQuery(CompiledQuery.raw(text, [json]));
  }

  /** DELETE ... WHERE column IN (...), chunked. */
  async deleteIn(db: Db, table: string, column: string, values: readonly unknown[]): Promise<void> {
    for (let start = 0; start < values.length; start += MAX_ROWS_PER_STATEMENT) {
      const chunk = values.slice(start, start + MAX_ROWS_PER_STATEMENT);
      await this.run(db, `DELETE FROM ${table} WHERE ${column} IN (${placeholders(chunk.length)})`, chunk);
    }
  }

  /** SELECT ... WHERE column IN (...), chunked; `order` is appended to each statement. */
  async selectIn<R>(db: Db, select: string, column: string, values: readonly unknown[], order = ''): Promise<R[]> {
    const out: R[] = [];
    for (let start = 0; start < values.length; start += MAX_ROWS_PER_STATEMENT) {
      const chunk = values.slice(start, start + MAX_ROWS_PER_STATEMENT);
      const rows = await this.all<R>(db, `${select} WHERE ${column} IN (${placeholders(chunk.length)}) ${order}`, chunk);
      for (const row of rows) out.push(row);
    }
    return out;
  }

  private readonly insertTexts = new Map<string, string>();

  private insertText(table: string, columns: readonly string[], rowCount: number, tail: string): string {
    const key = `${table}|${columns.join(',')}|${rowCount}|${tail}`;
    let text = this.insertTexts.get(key);
    if (text === undefined) {
      const width = columns.length;
      const tuples: string[] = new Array(rowCount);
      if (this.flavor === 'sqlite') {
        const tuple = `(${new Array(width).fill('?').join(',')})`;
        tuples.fill(tuple);
      } else {
        let n = 0;
        for (let r = 0; r < rowCount; r += 1) {
          const slots: string[] = new Array(width);
          for (let c = 0; c < width; c += 1) slots[c] = `$${++n}`;
          tuples[r] = `(${slots.join(',')})`;
        }
      }
      text = `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(',')} ${tail}`;
      if (this.insertTexts.size > 500) this.insertTexts.clear();
      this.insertTexts.set(key, text);
    }
    return text;
  }
}

export function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}
