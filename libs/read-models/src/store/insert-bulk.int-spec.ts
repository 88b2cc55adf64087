import type { ReadModelStore } from './read-model-store';
import { BACKENDS, type Backend, createBackend } from '../testing/backends';

// Sql.insertBulk carries rows to PostgreSQL as JSON text: every value must come back as it went in,
// whatever characters it holds, across the statements a large batch is split into.

const TRICKY = [
  'plain',
  'quotes " and \' and `',
  'back\\slash \\" \\u0041 (the six characters, not an escape)',
  'new\nline\ttab\r',
  'é ß 中文 🎉',
  '{"data":"json text","n":[1,2.5,null]}',
  '',
  '   spaces   ',
];

describe.each(BACKENDS)('Sql.insertBulk on %s', (backendName) => {
  let backend: Backend;
  let store: ReadModelStore;

  beforeEach(async () => {
    backend = await createBackend(backendName);
    store = await backend.open();
    await store.writeTransaction((db) =>
      store.sql.exec(db, 'CREATE TABLE bulk_t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, s TEXT, note TEXT NOT NULL)'),
    );
  });
  afterEach(() => backend.cleanup());

  const columns = [
    ['id', 'text'],
    ['n', 'integer'],
    ['s', 'text'],
    ['note', 'text'],
  ] as const;
  const read = () => store.sql.all<{ id: string; n: number | string; s: string | null; note: string }>(store.reader, 'SELECT * FROM bulk_t ORDER BY id');

  it('stores every value as it is, nulls and integers included, over more rows than one statement takes', async () => {
    const rows: unknown[][] = [];
    for (let i = 0; i < 20_005; i += 1) rows.push([`id-${String(i).padStart(6, '0')}`, i - 10, i % 3 === 0 ? null : TRICKY[i % TRICKY.length], `n${i}`]);
    await store.writeTransaction((db) => store.sql.insertBulk(db, 'bulk_t', columns, rows));
    const stored = await read();
    expect(stored.length).toBe(rows.length);
    expect(stored.map((row) => [row.id, Number(row.n), row.s, row.note])).toEqual(rows);
  });

  it('appends the tail to each statement (ON CONFLICT)', async () => {
    await store.writeTransaction((db) => store.sql.insertBulk(db, 'bulk_t', columns, [['a', 1, 'first', 'x']]));
    await store.writeTransaction((db) =>
      store.sql.insertBulk(
        db,
        'bulk_t',
        columns,
        [
          ['a', 2, TRICKY[2], 'y'],
          ['b', 3, null, 'z'],
        ],
        'ON CONFLICT (id) DO UPDATE SET n = excluded.n, s = excluded.s',
      ),
    );
    expect((await read()).map((row) => [row.id, Number(row.n), row.s, row.note])).toEqual([
      ['a', 2, TRICKY[2], 'x'],
      ['b', 3, null, 'z'],
    ]);
  });
});
