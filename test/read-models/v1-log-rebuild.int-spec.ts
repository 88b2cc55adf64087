import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@agreements/event-store';
import { Projector, rebuildReadModels } from '@agreements/read-models';
import { generationTables, MIGRATIONS } from '../../libs/read-models/src/testing/schema-internals';
import { BACKENDS, type Backend, createBackend } from '../../libs/read-models/src/testing/backends';
import { dumpReadModels } from '../../libs/read-models/src/testing/dump';
import { readFixtureEvents, writeStoredEvents } from '../fixtures/v1-log/fixture-io';

// The stored v1 log through every way the read models read events: the live projector, a rebuild
// that copies the log through the port, and (SQLite) one that attaches the log and materializes
// on threads. All must fold the v1 TermSets the same (upcast by the schema version they carry).

describe.each(BACKENDS)('the stored v1 log, read models on %s', (backendName) => {
  let backend: Backend;
  let events: SqliteEventStore;

  beforeAll(async () => {
    backend = await createBackend(backendName);
    const file = join(backend.dir, 'events.sqlite');
    await (await SqliteEventStore.open({ file })).close();
    const db = new Database(file);
    writeStoredEvents(db, readFixtureEvents());
    db.close();
    events = await SqliteEventStore.open({ file, pollIntervalMs: 20 });
  });
  afterAll(async () => {
    await events.close();
    await backend.cleanup();
  });

  it('given the live projection of the v1 log, when rebuilt every way, then each rebuild equals it, schema versions included', async () => {
    const store = await backend.open();
    const projector = new Projector(events, store, { batchSize: 7, retryDelayMs: 20 });
    await projector.start();
    await projector.waitUntilCaughtUp(20_000);
    await projector.stop();
    const live = await dumpReadModels(store);
    const copied = live.tables.events as Array<{ type: string; schema_version: number }>;
    expect(new Set(copied.map((row) => Number(row.schema_version)))).toEqual(new Set([1]));
    const memorandum = await store.queries.getAgreement('astana-deescalation-memorandum', {});
    expect(memorandum?.term).toMatchObject({ duration: 'P6M', countedFrom: 'entry-into-force', endsAt: '2018-05-04T23:59:59.999Z' });

    const ways = backendName === 'sqlite' ? [{ attach: true, workers: 2 }, { attach: false, workers: 0 }] : [{ attach: false }];
    for (const way of ways) {
      await rebuildReadModels(events, store, { batchSize: 11, chunkStreams: 2, ...way });
      const rebuilt = await dumpReadModels(store);
      expect(rebuilt.tables).toEqual(live.tables);
    }
  });

  it('given an event copy of the v1 shape (no schema_version column), when migration 2 runs, then every copied event reads as version 1', async () => {
    const store = await backend.open();
    const { generation } = await store.activeCheckpoint();
    const table = generationTables(generation).events;
    await store.sql.exec(store.writer, `ALTER TABLE ${table} DROP COLUMN schema_version`);
    const migration = MIGRATIONS.find((m) => m.version === 2)!;
    await migration.up(store.sql, store.writer);
    const rows = await store.sql.all<{ schema_version: number | string }>(store.reader, `SELECT schema_version FROM ${table}`);
    expect(rows.length).toBe(readFixtureEvents().length);
    expect(new Set(rows.map((row) => Number(row.schema_version)))).toEqual(new Set([1]));
    // Run again on the newest shape: nothing to do.
    await migration.up(store.sql, store.writer);
  });
});
