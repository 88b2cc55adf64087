import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  CommandAlreadyRecordedError,
  DuplicateEventIdError,
  EventToAppend,
  RecordedEvent,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { SqliteEventStore, SqliteEventStoreOptions } from './sqlite-event-store';

describeEventStoreContract('SqliteEventStore on a file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'event-store-contract-'));
  const store = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteEventStore', () => {
  let dir: string;
  let file: string;
  let opened: SqliteEventStore[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'event-store-sqlite-'));
    file = join(dir, 'data', 'events.sqlite');
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (options: Partial<SqliteEventStoreOptions> = {}) => {
    const store = await SqliteEventStore.open({ file, ...options });
    opened.push(store);
    return store;
  };
  const event = (type = 'Counted', data: Record<string, unknown> = {}): EventToAppend => ({
    eventId: randomUUID(),
    type,
    data,
    metadata: {
      actor: 'desk-1',
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: '2017-05-04',
      sources: [],
      schemaVersion: 1,
    },
  });
  const take = async (iterator: AsyncIterator<RecordedEvent>, count: number, timeoutMs = 10_000) => {
    const taken: RecordedEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (taken.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out with ${taken.length} of ${count} events`);
      const next = await iterator.next();
      if (next.done) throw new Error('subscription ended');
      taken.push(next.value);
    }
    return taken;
  };

  it('creates its directory and runs in WAL mode with synchronous FULL, so an acknowledged append survives a power cut', async () => {
    const store = await open();

    expect(existsSync(file)).toBe(true);
    expect(store.durability()).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
    const other = new Database(file, { readonly: true });
    try {
      expect(other.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      other.close();
    }
  });

  it('numbers positions 1, 2, ... and takes "0" as the position before everything', async () => {
    const store = await open();
    const first = await store.append('counter-1', [event(), event()], { expectedRevision: 'no_stream' });
    const second = await store.append('counter-2', [event()], { expectedRevision: 'no_stream' });

    expect(first.events.map((e) => e.position)).toEqual(['1', '2']);
    expect(second.position).toBe('3');
    expect(await store.headPosition()).toBe('3');
    expect(store.parsePosition('0')).toBe('0');
    expect((await store.readAll({ fromPosition: '0' })).map((e) => e.position)).toEqual(['1', '2', '3']);
    const iterator = store.subscribeToAll({ afterPosition: '0' })[Symbol.asyncIterator]();
    expect((await take(iterator, 1))[0].position).toBe('1');
    expect(store.comparePositions('10', '9')).toBeGreaterThan(0);
    expect(store.parsePosition('007')).toBe('7');
    for (const text of ['1.5', '1e3', '0x10', '+1', '9007199254740993']) expect(() => store.parsePosition(text)).toThrow();
  });

  it('has no head position while empty', async () => {
    const store = await open();

    expect(await store.headPosition()).toBeUndefined();
    expect(await store.readAll()).toEqual([]);
  });

  it('finds every event and command again after reopening the file, and carries on from there', async () => {
    const first = await open();
    const commandId = randomUUID();
    const result = await first.append('agreement-1', [event('Drafted'), event('Signed')], {
      expectedRevision: 'no_stream',
      command: { commandId, requestHash: 'h1' },
    });
    const before = await first.readAll();
    await first.close();

    const reopened = await open();

    expect(await reopened.readAll()).toEqual(before);
    expect(await reopened.findCommand(commandId)).toEqual({ commandId, requestHash: 'h1', result });
    await expect(reopened.append('agreement-1', [event()], { expectedRevision: 0 })).rejects.toMatchObject({ actual: 1 });
    const next = await reopened.append('agreement-1', [event()], { expectedRevision: 1 });
    expect(next).toMatchObject({ revision: 2, position: '3' });
  });

  it('lets a second instance on the same file see what the first writes: by polling, and in its revision checks', async () => {
    const writer = await open();
    const reader = await open({ pollIntervalMs: 50 });
    const iterator = reader.subscribeToAll()[Symbol.asyncIterator]();

    const written = await writer.append('counter-1', [event(), event()], { expectedRevision: 'no_stream' });

    const seen = await take(iterator, 2, 3000);
    expect(seen.map((e) => e.eventId)).toEqual(written.events.map((e) => e.eventId));
    await expect(reader.append('counter-1', [event()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    await reader.append('counter-1', [event()], { expectedRevision: 1 });
    expect(await writer.readStream('counter-1')).toHaveLength(3);
  });

  it('checks revisions against what another instance appended to a stream it wrote itself before', async () => {
    const first = await open();
    const second = await open();
    await first.append('counter', [event()], { expectedRevision: 'no_stream' });
    await second.append('counter', [event()], { expectedRevision: 0 });

    await expect(first.append('counter', [event()], { expectedRevision: 0 })).rejects.toMatchObject({ actual: 1 });
    await expect(first.append('counter', [event()], { expectedRevision: 'any' })).resolves.toMatchObject({
      revision: 2,
      position: '3',
    });
    await expect(second.append('counter', [event()], { expectedRevision: 1 })).rejects.toMatchObject({ actual: 2 });
  });

  it('never hands out a position twice, even after the newest events were removed', async () => {
    const store = await open();
    await store.append('counter', [event(), event(), event()], { expectedRevision: 'no_stream' });
    await store.close();
    const db = new Database(file);
    db.prepare('DELETE FROM events WHERE position = 3').run();
    db.close();

    const reopened = await open();
    const result = await reopened.append('counter', [event()], { expectedRevision: 1 });
    expect(result).toMatchObject({ revision: 2, position: '4' });
    const [first, second] = await Promise.all([
      reopened.append('a', [event()], { expectedRevision: 'no_stream' }),
      reopened.append('b', [event()], { expectedRevision: 'no_stream' }),
    ]);
    expect([first.position, second.position]).toEqual(['5', '6']);
  });

  it('answers a command id repeated within one batch with the record of its first append', async () => {
    const store = await open();
    const commandId = randomUUID();
    const before = store.stats().transactions;

    const outcomes = await Promise.allSettled([
      store.append('a', [event()], { expectedRevision: 'no_stream', command: { commandId, requestHash: 'h' } }),
      store.append('b', [event()], { expectedRevision: 'no_stream', command: { commandId, requestHash: 'h' } }),
      store.append('c', [event()], { expectedRevision: 5, command: { commandId, requestHash: 'h' } }),
      store.append('d', [event()], {
        expectedRevision: 'no_stream',
        command: { commandId: randomUUID(), requestHash: 'h' },
      }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const first = (outcomes[0] as PromiseFulfilledResult<unknown>).value;
    for (const refused of [outcomes[1], outcomes[2]] as PromiseRejectedResult[]) {
      expect(refused.reason).toBeInstanceOf(CommandAlreadyRecordedError);
      expect((refused.reason as CommandAlreadyRecordedError).record).toEqual({
        commandId,
        requestHash: 'h',
        result: first,
      });
    }
    expect(store.stats().transactions - before).toBe(1);
    expect((await store.readAll()).map((e) => [e.streamId, e.position])).toEqual([
      ['a', '1'],
      ['d', '2'],
    ]);
  });

  it('commits 100 concurrent appends in far fewer than 100 transactions', async () => {
    const store = await open();
    const before = store.stats();

    const results = await Promise.all(
      Array.from({ length: 100 }, (_, n) => store.append(`counter-${n}`, [event()], { expectedRevision: 'no_stream' })),
    );

    const after = store.stats();
    expect(results).toHaveLength(100);
    expect(after.appends - before.appends).toBe(100);
    expect(after.events - before.events).toBe(100);
    expect(after.transactions - before.transactions).toBeLessThanOrEqual(5);
  });

  it('refuses one append of a batch without failing the others of that batch', async () => {
    const store = await open();
    const logged = randomUUID();
    await store.append('logged', [event()], { expectedRevision: 'no_stream', command: { commandId: logged, requestHash: 'h' } });
    await store.append('existing', [event()], { expectedRevision: 'no_stream' });
    const before = store.stats().transactions;
    const shared = event();

    const outcomes = await Promise.allSettled([
      store.append('a', [shared], { expectedRevision: 'no_stream' }),
      store.append('existing', [event()], { expectedRevision: 5 }),
      store.append('b', [event(), { ...event(), eventId: shared.eventId }], { expectedRevision: 'any' }),
      store.append('c', [event()], { expectedRevision: 'any', command: { commandId: logged, requestHash: 'h' } }),
      store.append('d', [event(), event()], { expectedRevision: 'no_stream' }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(reasons[1]).toBeInstanceOf(WrongExpectedRevisionError);
    expect(reasons[2]).toBeInstanceOf(DuplicateEventIdError);
    expect(reasons[3]).toBeInstanceOf(CommandAlreadyRecordedError);
    expect(store.stats().transactions - before).toBe(1);
    const streams = (await store.readAll({ fromPosition: '3' })).map((e) => e.streamId);
    expect(streams).toEqual(['a', 'd', 'd']);
  });

  it('checks revisions against the appends earlier in the same batch', async () => {
    const store = await open();
    const before = store.stats().transactions;

    const outcomes = await Promise.allSettled([
      store.append('counter', [event()], { expectedRevision: 'no_stream' }),
      store.append('counter', [event()], { expectedRevision: 0 }),
      store.append('counter', [event()], { expectedRevision: 0 }),
      store.append('counter', [event()], { expectedRevision: 'no_stream' }),
      store.append('counter', [event()], { expectedRevision: 'stream_exists' }),
    ]);

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(outcomes[2]).toMatchObject({ reason: { expected: 0, actual: 1 } });
    expect(outcomes[3]).toMatchObject({ reason: { expected: 'no_stream', actual: 1 } });
    expect(store.stats().transactions - before).toBe(1);
    expect((await store.readStream('counter')).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('stamps recordedAt with the commit time in milliseconds, the same for a batch, never decreasing', async () => {
    const store = await open();
    const before = new Date().toISOString();

    const results = await Promise.all([
      store.append('a', [event()], { expectedRevision: 'any' }),
      store.append('b', [event()], { expectedRevision: 'any' }),
    ]);
    const later = await store.append('a', [event()], { expectedRevision: 'any' });
    const after = new Date().toISOString();

    const [a, b] = [...(await store.readStream('a')), ...(await store.readStream('b'))].filter((e) =>
      results.some((r) => r.position === e.position),
    );
    expect(a.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(a.recordedAt >= before && a.recordedAt <= after).toBe(true);
    expect(b.recordedAt).toBe(a.recordedAt);
    const [third] = await store.readAll({ fromPosition: later.position });
    expect(third.recordedAt >= a.recordedAt).toBe(true);
  });

  it('delivers every event once, in order, to a subscription paging while appends commit', async () => {
    const store = await open({ pageSize: 3 });
    for (let i = 0; i < 4; i += 1) await store.append(`s${i}`, [event(), event(), event(), event(), event()], { expectedRevision: 'any' });
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();

    const writing = (async () => {
      for (let i = 0; i < 25; i += 1) {
        await Promise.all([
          store.append('x', [event()], { expectedRevision: 'any' }),
          store.append('y', [event(), event()], { expectedRevision: 'any' }),
        ]);
      }
    })();
    const received: RecordedEvent[] = [];
    received.push(...(await take(iterator, 20)));
    await writing;
    received.push(...(await take(iterator, 75)));

    expect(received.map((e) => e.position)).toEqual(Array.from({ length: 95 }, (_, n) => String(n + 1)));
  });

  it('commits what was queued before closing, then refuses further work', async () => {
    const store = await open();

    const pending = store.append('counter', [event()], { expectedRevision: 'no_stream' });
    await store.close();

    await expect(pending).resolves.toMatchObject({ revision: 0 });
    await expect(store.append('counter', [event()], { expectedRevision: 'any' })).rejects.toThrow(/closed/);
    await expect(store.readStream('counter')).rejects.toThrow(/closed/);
    const reopened = await open();
    expect(await reopened.readStream('counter')).toHaveLength(1);
  });

  it('ends its subscriptions when the store closes', async () => {
    const store = await open();
    const iterator = store.subscribeToAll()[Symbol.asyncIterator]();
    const waiting = iterator.next();

    await store.close();

    await expect(waiting).resolves.toMatchObject({ done: true });
  });

  it('refuses a file written by a newer schema rather than misreading it', async () => {
    await (await open()).close();
    const raw = new Database(file);
    raw.pragma('user_version = 99');
    raw.close();

    await expect(SqliteEventStore.open({ file })).rejects.toThrow(/schema 99/);
  });
});
