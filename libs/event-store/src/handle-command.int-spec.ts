import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WrongExpectedRevisionError } from './event-store.port';
import { CommandContext, CommandDecider, CommandIdReusedError, eventIdFor, handleCommand, StreamStateCache, toEnvelope } from './handle-command';
import { SqliteEventStore } from './sqlite/sqlite-event-store';

// A counter stream: just enough domain to tell a decision made on stale state from a fresh one,
// since every Incremented event carries the total it was decided on.
type CounterCommand = { type: 'Increment' | 'Decrement'; by: number };
interface CounterState {
  total: number;
}
class CounterRefused extends Error {
  readonly code = 'NOT_POSITIVE';
}
const counter: CommandDecider<CounterCommand, CounterState> = {
  load(recorded, loaded = { total: 0 }) {
    return recorded.reduce((state, event) => (event.type === 'Incremented' ? { total: event.data.total as number } : state), loaded);
  },
  decide(command, state) {
    if (command.by <= 0) throw new CounterRefused(`cannot increment by ${command.by}`);
    if (command.type === 'Decrement') {
      if (state.total < command.by) throw new CounterRefused(`cannot take ${command.by} from ${state.total}`);
      return [{ type: 'Incremented', data: { by: -command.by, total: state.total - command.by } }];
    }
    return [{ type: 'Incremented', data: { by: command.by, total: state.total + command.by } }];
  },
};

describe('handleCommand', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'handle-command-'));
    store = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
    commandId: randomUUID(),
    requestHash: 'hash-of-the-body',
    actor: 'desk-1',
    correlationId: 'correlation-1',
    causationId: 'causation-1',
    occurredAt: '2017-05-04',
    sources: [{ publisher: 'Xinhua', url: 'http://www.xinhuanet.com/a' }],
    schemaVersionOf: (type) => (type === 'Incremented' ? 2 : 1),
    ...overrides,
  });
  const increment = (ctx: CommandContext, options: { by?: number; expectedRevision?: number; streamId?: string } = {}) =>
    handleCommand(store, {
      streamId: options.streamId ?? 'counter-1',
      decider: counter,
      command: { type: 'Increment', by: options.by ?? 1 },
      expectedRevision: options.expectedRevision,
      context: ctx,
    });
  const totals = async (streamId = 'counter-1') => (await store.readStream(streamId)).map((e) => e.data.total);

  it('appends the decided events with the command metadata and ids derived from the command id', async () => {
    const ctx = context();

    const { result, replayed } = await increment(ctx, { by: 3 });

    expect(replayed).toBe(false);
    expect(result).toMatchObject({ streamId: 'counter-1', revision: 0, position: '1' });
    const [stored] = await store.readStream('counter-1');
    expect(stored.eventId).toBe(eventIdFor(ctx.commandId, 0));
    expect(stored.data).toEqual({ by: 3, total: 3 });
    expect(stored.metadata).toEqual({
      actor: 'desk-1',
      commandId: ctx.commandId,
      correlationId: 'correlation-1',
      causationId: 'causation-1',
      occurredAt: '2017-05-04',
      sources: [{ publisher: 'Xinhua', url: 'http://www.xinhuanet.com/a' }],
      schemaVersion: 2,
    });
  });

  it('decides on the state folded from the stream', async () => {
    await increment(context(), { by: 2 });
    await increment(context(), { by: 5 });

    expect(await totals()).toEqual([2, 7]);
  });

  it('answers a retried command with its first result and appends nothing, even after the stream moved on', async () => {
    const ctx = context();
    const first = await increment(ctx);
    await increment(context());

    const retry = await increment(ctx);

    expect(retry).toEqual({ result: first.result, replayed: true });
    expect(await totals()).toEqual([1, 2]);
  });

  it('refuses a command id reused for a different request, appending nothing', async () => {
    const ctx = context();
    await increment(ctx);

    await expect(increment({ ...ctx, requestHash: 'another-body' }, { by: 9 })).rejects.toBeInstanceOf(CommandIdReusedError);
    expect(await totals()).toEqual([1]);
  });

  it('refuses a stale expectedRevision with the actual one, appending and logging nothing', async () => {
    await increment(context());
    const ctx = context();

    const stale = increment(ctx, { expectedRevision: 5 });

    await expect(stale).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(stale).rejects.toMatchObject({ streamId: 'counter-1', expected: 5, actual: 0 });
    await expect(increment(context(), { expectedRevision: -1 })).rejects.toMatchObject({ expected: -1, actual: 0 });
    expect(await totals()).toEqual([1]);
    expect(await store.findCommand(ctx.commandId)).toBeUndefined();
  });

  it('takes expectedRevision -1 as "the stream must not exist yet"', async () => {
    const { result } = await increment(context(), { expectedRevision: -1, streamId: 'counter-new' });

    expect(result.revision).toBe(0);
  });

  it('lets a domain refusal through untouched and appends nothing', async () => {
    const refusal = await increment(context(), { by: 0 }).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(CounterRefused);
    expect(refusal).toMatchObject({ code: 'NOT_POSITIVE' });
    expect(await store.readStream('counter-1')).toEqual([]);
  });

  it('lets exactly one of 20 commands racing on the same expectedRevision win', async () => {
    await increment(context());

    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => increment(context(), { expectedRevision: 0 })),
    );

    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const lost of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(lost.reason).toBeInstanceOf(WrongExpectedRevisionError);
      expect(lost.reason).toMatchObject({ expected: 0, actual: 1 });
    }
    expect(await totals()).toEqual([1, 2]);
  });

  it('accepts all of 40 concurrent commands without expectedRevision, each decided on the state before it', async () => {
    const outcomes = await Promise.all(Array.from({ length: 40 }, () => increment(context())));

    expect(outcomes.map((o) => o.result.revision).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    const stored = await store.readStream('counter-1');
    expect(stored.map((e) => e.revision)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    // No increment was lost: each was decided on the total its predecessor left.
    expect(stored.map((e) => e.data.total)).toEqual(Array.from({ length: 40 }, (_, n) => n + 1));
  });

  it('appends a command retried concurrently with itself once, answering both', async () => {
    const ctx = context();

    const [a, b] = await Promise.all([increment(ctx), increment(ctx)]);

    expect(a.result).toEqual(b.result);
    expect([a.replayed, b.replayed].sort()).toEqual([false, true]);
    expect(await totals()).toEqual([1]);
  });

  describe('with a cache of folded states', () => {
    const cached = (cache: StreamStateCache<CounterState>, by = 1, type: CounterCommand['type'] = 'Increment', ctx = context()) =>
      handleCommand(store, { streamId: 'counter-1', decider: counter, command: { type, by }, context: ctx, cache });
    const appendBehindTheCachesBack = async (by: number) => {
      // Another process: its own store on the same file.
      const other = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
      try {
        await handleCommand(other, { streamId: 'counter-1', decider: counter, command: { type: 'Increment', by }, context: context() });
      } finally {
        await other.close();
      }
    };

    it('decides on what another writer appended since the state was cached', async () => {
      const cache = new StreamStateCache<CounterState>(10);
      await cached(cache, 1);
      await cached(cache, 1);
      // Advanced by its own appends, with their events folded on.
      expect(cache.get('counter-1')).toMatchObject({ revision: 1, state: { total: 2 }, current: true });
      await appendBehindTheCachesBack(10);
      await cached(cache, 1);
      expect(await totals()).toEqual([1, 2, 12, 13]);
      expect(cache.get('counter-1')).toMatchObject({ revision: 3, state: { total: 13 } });
    });

    it('reads nothing for a stream whose last append it made: the append checks the cached revision', async () => {
      const cache = new StreamStateCache<CounterState>(10);
      await cached(cache, 1);
      const readStream = jest.spyOn(store, 'readStream');
      const findCommand = jest.spyOn(store, 'findCommand');
      await cached(cache, 1);
      await cached(cache, 1);
      expect({ reads: readStream.mock.calls.length, commandLookUps: findCommand.mock.calls.length }).toEqual({ reads: 0, commandLookUps: 0 });
      expect(await totals()).toEqual([1, 2, 3]);
    });

    it('decides again on the stored state when the cached one refuses: another writer may have made it possible', async () => {
      const cache = new StreamStateCache<CounterState>(10);
      await cached(cache, 1);
      await appendBehindTheCachesBack(10);
      // The cache says 1, so 5 cannot be taken; the store says 11.
      await cached(cache, 5, 'Decrement');
      expect(await totals()).toEqual([1, 11, 6]);
      // And a refusal the stored state confirms stands.
      await expect(cached(cache, 50, 'Decrement')).rejects.toBeInstanceOf(CounterRefused);
      expect(await totals()).toEqual([1, 11, 6]);
    });

    it('answers a retry of a command it recorded as a retry, with the first result', async () => {
      const cache = new StreamStateCache<CounterState>(10);
      const ctx = context();
      const first = await cached(cache, 1, 'Increment', ctx);
      const retry = await cached(cache, 1, 'Increment', ctx);
      expect(retry).toEqual({ result: first.result, replayed: true });
      await cached(cache, 1);
      const late = await cached(cache, 1, 'Increment', ctx);
      expect(late).toEqual({ result: first.result, replayed: true });
      const reused = await cached(cache, 7, 'Increment', { ...ctx, requestHash: 'another body' }).catch((error: unknown) => error);
      expect(reused).toBeInstanceOf(CommandIdReusedError);
      expect(await totals()).toEqual([1, 2]);
    });

    it('folds exactly what a read of the stream gives back', async () => {
      const cache = new StreamStateCache<unknown>(10);
      // A decider whose state is the envelopes it saw: the cached fold against a fresh load.
      const envelopes: CommandDecider<CounterCommand, unknown[]> = {
        load: (recorded, loaded = []) => [...loaded, ...recorded],
        decide: (command) => [{ type: 'Noted', data: { z: command.by, a: { y: [1, 'two'], b: null } } }],
      };
      const note = () =>
        handleCommand(store, { streamId: 'notes-1', decider: envelopes, command: { type: 'Increment', by: 1 }, context: context(), cache: cache as StreamStateCache<unknown[]> });
      await note();
      await note();
      const fresh = envelopes.load((await store.readStream('notes-1')).map(toEnvelope));
      expect(cache.get('notes-1')?.state).toEqual(fresh);
      // Member order too (the store keeps data in canonical order).
      expect(JSON.stringify(cache.get('notes-1')?.state)).toBe(JSON.stringify(fresh));
    });

    it('answers concurrent writers with contiguous revisions, as without it', async () => {
      const cache = new StreamStateCache<CounterState>(10);
      await Promise.all(Array.from({ length: 30 }, () => cached(cache, 1)));
      expect(await totals()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    });

    it('keeps at most its bound of streams, dropping the least recently used', () => {
      const cache = new StreamStateCache<CounterState>(2);
      cache.set('a', 0, '1', { total: 1 });
      cache.set('b', 0, '2', { total: 1 });
      cache.get('a');
      cache.set('c', 0, '3', { total: 1 });
      expect([cache.get('a')?.revision, cache.get('b'), cache.get('c')?.revision]).toEqual([0, undefined, 0]);
      cache.set('a', -5, '0', { total: 0 });
      expect(cache.get('a')?.state).toEqual({ total: 1 });
      // Behind after an append it could not fold; the same revision read again is current again.
      cache.markBehind('a', 1);
      expect(cache.get('a')?.current).toBe(false);
      cache.set('a', 0, '1', { total: 1 });
      expect(cache.get('a')?.current).toBe(true);
    });
  });
});
