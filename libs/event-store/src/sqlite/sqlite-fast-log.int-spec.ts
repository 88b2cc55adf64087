import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EventSource, EventToAppend } from '../event-store.port';
import { openFastLogReader } from './fast-log-reader';
import { SqliteEventStore } from './sqlite-event-store';

const event = (type: string, occurredAt: string, sources: EventSource[] = []): EventToAppend => ({
  eventId: randomUUID(),
  type,
  data: { type, n: 1 },
  metadata: {
    actor: 'desk-1',
    commandId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
    occurredAt,
    sources,
    schemaVersion: 1,
  },
});

describe('the SQLite store fast log', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'event-store-fast-log-'));
    store = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
    // Positions 1..5: a-1 (two events), other-1, b-1 (two events).
    await store.append('a-1', [event('Opened', '2017-01'), event('Signed', '2017-02', [{ publisher: 'UN' }])], {
      expectedRevision: 'no_stream',
    });
    await store.append('other-1', [event('Noted', '2017-03')], { expectedRevision: 'no_stream' });
    await store.append('b-1', [event('Opened', '2017-04'), event('Closed', '2017-05')], {
      expectedRevision: 'no_stream',
    });
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('is there on a file, with a handle another thread can open, and not on :memory:', async () => {
    expect(store.fastLog?.handle).toEqual({ kind: 'sqlite', file: join(dir, 'events.sqlite') });
    expect(structuredClone(store.fastLog!.handle)).toEqual(store.fastLog!.handle);
    const memory = await SqliteEventStore.open({ file: ':memory:' });
    expect(memory.fastLog).toBeUndefined();
    await memory.close();
  });

  it('reads ranges as raw rows, only the streams asked for, and sums a range up over every stream', async () => {
    const reader = store.fastLog!.openReader({ streamPrefixes: ['a-', 'b-'] });
    try {
      // Data as stored: in canonical member order (the store writes it so for the ledger).
      expect(reader.rangeEvents(1, 4)).toEqual([
        [
          'a-1',
          1,
          '2',
          expect.any(String),
          'Signed',
          '{"n":1,"type":"Signed"}',
          '2017-02',
          expect.any(String),
          '[{"publisher":"UN"}]',
          1,
        ],
        [
          'b-1',
          0,
          '4',
          expect.any(String),
          'Opened',
          '{"n":1,"type":"Opened"}',
          '2017-04',
          expect.any(String),
          '[]',
          1,
        ],
      ]);
      // The same rows as one JSON text, the sources a string as above (not embedded as an array).
      expect(JSON.parse(reader.rangeEventsJson(1, 4))).toEqual(reader.rangeEvents(1, 4));
      expect(JSON.parse(reader.rangeEventsJson(0, 5))).toEqual(reader.rangeEvents(0, 5));
      expect(reader.rangeEventsJson(5, 9)).toBe('[]');
      const [at4] = await store.readAll({ fromPosition: '4', maxCount: 1 });
      expect(reader.rangeSummary(1, 4)).toEqual({ count: 3, last: { position: '4', recordedAt: at4.recordedAt } });
      expect(reader.rangeSummary(5, 9)).toEqual({ count: 0 });
    } finally {
      await reader.close();
    }
  });

  it('lists streams by key and reads whole streams up to a position, from the handle alone', async () => {
    const reader = openFastLogReader(store.fastLog!.handle, { streamPrefixes: ['a-', 'b-'] });
    try {
      expect(reader.streamIdsAfter('', 10)).toEqual(['a-1', 'b-1']);
      expect(reader.streamIdsAfter('a-1', 10)).toEqual(['b-1']);
      const rows = reader.streamEvents(['b-1', 'a-1', 'other-1'], 4);
      expect(rows.map((row) => [row[0], row[1], row[2]])).toEqual([
        ['a-1', 0, '1'],
        ['a-1', 1, '2'],
        ['b-1', 0, '4'],
        ['other-1', 0, '3'],
      ]);
      expect(JSON.parse(rows[1][7])).toEqual(['2017-02', [{ publisher: 'UN' }], 1]);
      // The port's reads too, on the same read-only connection.
      expect((await reader.readStream('b-1')).map((e) => e.type)).toEqual(['Opened', 'Closed']);
      expect(await reader.headPosition()).toBe('5');
    } finally {
      await reader.close();
    }
  });

  it('copies ranges into a table of another SQLite file, inside SQLite', async () => {
    const target = join(dir, 'copy.sqlite');
    const db = new Database(target);
    db.exec(
      'CREATE TABLE copy (stream_id, revision, position, event_id, type, data, occurred_at, recorded_at, sources, schema_version)',
    );
    db.close();
    const copier = store.fastLog!.openCopier(
      {
        file: target,
        table: 'copy',
        columns: [
          'stream_id',
          'revision',
          'position',
          'event_id',
          'type',
          'data',
          'occurred_at',
          'recorded_at',
          'sources',
          'schema_version',
        ],
      },
      { streamPrefixes: ['a-', 'b-'] },
    );
    try {
      expect(copier.copyRange(0, 3)).toBe(2);
      expect(copier.copyRange(3, 5)).toBe(2);
      expect(copier.countUpTo(5)).toBe(5);
      expect(copier.recordedAt(5)).toBe((await store.readAll({ fromPosition: '5' }))[0].recordedAt);
    } finally {
      copier.close();
    }
    const copied = new Database(target, { readonly: true });
    expect(
      copied.prepare('SELECT stream_id, position, occurred_at, schema_version FROM copy ORDER BY position').raw(true).all(),
    ).toEqual([
      ['a-1', '1', '2017-01', 1],
      ['a-1', '2', '2017-02', 1],
      ['b-1', '4', '2017-04', 1],
      ['b-1', '5', '2017-05', 1],
    ]);
    copied.close();
  });

  it('refuses stream prefixes and names it would have to quote', () => {
    expect(() => store.fastLog!.openReader({ streamPrefixes: ["a' OR 1 --"] })).toThrow('invalid stream prefix');
    expect(() => store.fastLog!.openReader({ streamPrefixes: ['a%'] })).toThrow('invalid stream prefix');
    expect(() =>
      store.fastLog!.openCopier({ file: join(dir, 'x.sqlite'), table: 'x; DROP TABLE events', columns: ['a'] }),
    ).toThrow('invalid SQL name');
  });
});
