/**
 * handleCommand on EventStoreDB (the in-memory gRPC test server): how many round trips a command
 * costs, and that its guarantees hold on this store as on the embedded one, including the states
 * a crash can leave between the claim of a command id and the append of its events.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, NO_STREAM, jsonEvent } from '@eventstore/db-client';
import { type EventStore, isEventStoreUnavailable, WrongExpectedRevisionError } from '../event-store.port';
import {
  CommandContext,
  CommandDecider,
  CommandIdReusedError,
  eventIdFor,
  handleCommand,
  StreamStateCache,
} from '../handle-command';
import { BookkeepingTypes, commandLogStream } from './esdb-command-log';
import { EsdbEventStore } from './esdb-event-store';
import { toEventData } from './esdb-mapping';
import { EsdbTestServer } from './test-server/esdb-test-server';

// A counter stream (as in handle-command.int-spec.ts): every Incremented event carries the total it
// was decided on, so a decision made on stale state shows. `by: 0` is refused; `times` events at once.
type CounterCommand = { type: 'Increment'; by: number; times?: number };
interface CounterState {
  total: number;
}
class CounterRefused extends Error {
  readonly code = 'NOT_POSITIVE';
}
const counter: CommandDecider<CounterCommand, CounterState> = {
  load(recorded, loaded = { total: 0 }) {
    return recorded.reduce(
      (state, event) => (event.type === 'Incremented' ? { total: event.data.total as number } : state),
      loaded,
    );
  },
  decide(command, state) {
    if (command.by <= 0) throw new CounterRefused(`cannot increment by ${command.by}`);
    return Array.from({ length: command.times ?? 1 }, (_, i) => ({
      type: 'Incremented',
      data: { by: command.by, total: state.total + command.by * (i + 1) },
    }));
  },
};

/** Latency of every call in the round-trip tests: long enough that calls sent together overlap on the server. */
const LATENCY_MS = 40;

describe('handleCommand on EventStoreDB', () => {
  let server: EsdbTestServer;
  let store: EsdbEventStore;
  let raw: EventStoreDBClient;

  const open = async (latencyMs = 0) => {
    server = new EsdbTestServer({ latencyMs });
    await server.start();
    store = await EsdbEventStore.connect(server.connectionString);
    raw = EventStoreDBClient.connectionString(server.connectionString);
  };

  afterEach(async () => {
    await store.close();
    await raw.dispose();
    await server.stop();
  });

  const context = (overrides: Partial<CommandContext> = {}): CommandContext => ({
    commandId: randomUUID(),
    requestHash: 'hash-of-the-body',
    actor: 'desk-1',
    correlationId: 'correlation-1',
    causationId: 'causation-1',
    occurredAt: '2017-05-04',
    sources: [],
    schemaVersionOf: () => 1,
    ...overrides,
  });
  const increment = (
    ctx: CommandContext,
    options: { by?: number; times?: number; expectedRevision?: number; streamId?: string; cache?: StreamStateCache<CounterState> } = {},
  ) =>
    handleCommand(store, {
      streamId: options.streamId ?? 'counter-1',
      decider: counter,
      command: { type: 'Increment', by: options.by ?? 1, times: options.times },
      expectedRevision: options.expectedRevision,
      context: ctx,
      cache: options.cache,
    });
  const totals = async (streamId = 'counter-1') => (await store.readStream(streamId)).map((e) => e.data.total);

  /** Calls and sequential round trips of one operation, counted by the server. */
  const counted = async <T>(operation: () => Promise<T>) => {
    const mark = server.calls.mark();
    const value = await operation();
    const calls = server.calls.since(mark).map((call) => `${call.kind} ${call.stream ?? ''}`.trim());
    return { value, calls, roundTrips: server.calls.roundTrips(mark) };
  };

  describe('round trips (the server answers every call 40 ms late)', () => {
    beforeEach(() => open(LATENCY_MS));

    it('a command creating a stream, and one on an existing stream: two round trips each, three calls', async () => {
      await increment(context(), { streamId: 'warm-up' }); // the client asks ServerFeatures before its first append

      const created = await counted(() => increment(context()));
      const next = await counted(() => increment(context()));

      console.log(`round trips per command: ${JSON.stringify({ created, next }, null, 1)}`);
      expect(created.value.result.revision).toBe(0);
      expect(next.value.result.revision).toBe(1);
      expect([created.roundTrips, next.roundTrips]).toEqual([2, 2]);
      expect([created.calls.length, next.calls.length]).toEqual([3, 3]);
    });

    it('for comparison, through the port methods only (findCommand, then append with the command): nine', async () => {
      const portOnly: EventStore = {
        append: (streamId, events, options) => store.append(streamId, events, options),
        findCommand: (commandId) => store.findCommand(commandId),
        findEvent: (eventId) => store.findEvent(eventId),
        readStream: (streamId, options) => store.readStream(streamId, options),
        readAll: (options) => store.readAll(options),
        subscribeToAll: (options) => store.subscribeToAll(options),
        headPosition: () => store.headPosition(),
        comparePositions: (a, b) => store.comparePositions(a, b),
        parsePosition: (text) => store.parsePosition(text),
        close: () => store.close(),
      };
      await increment(context(), { streamId: 'warm-up' });

      const next = await counted(() =>
        handleCommand(portOnly, { streamId: 'warm-up', decider: counter, command: { type: 'Increment', by: 1 }, context: context() }),
      );

      expect(next.value.result.revision).toBe(1);
      expect([next.calls.length, next.roundTrips]).toEqual([9, 9]);
    });

    it('a command of three events: a third round trip reads their positions back', async () => {
      await increment(context(), { streamId: 'warm-up' });

      const three = await counted(() => increment(context(), { times: 3 }));

      expect(three.value.result.events.map((e) => e.revision)).toEqual([0, 1, 2]);
      const kinds = three.calls.map((call) => call.replace(/^(\w+ commandlog)-.*$/, '$1'));
      expect(kinds.slice(0, 2).sort()).toEqual(['append commandlog', 'read counter-1']);
      expect(kinds.slice(2)).toEqual(['append counter-1', 'read counter-1']);
      expect(three.roundTrips).toBe(3);
    });

    it('a retry of a stored command: the claim fails, so the log and the stream are read to answer it', async () => {
      const ctx = context();
      const first = await increment(ctx);

      const retry = await counted(() => increment(ctx));

      expect(retry.value).toEqual({ result: first.result, replayed: true });
      console.log(`round trips of a retry: ${retry.roundTrips} (${retry.calls.join(', ')})`);
      expect(retry.roundTrips).toBeLessThanOrEqual(3);
    });
  });

  describe('guarantees', () => {
    beforeEach(() => open());

    const logTypes = async (commandId: string) =>
      (await readRaw(commandLogStream(commandId))).map((e) => e.type);
    const readRaw = async (streamId: string) => {
      const events = [];
      try {
        for await (const resolved of raw.readStream(streamId)) if (resolved.event) events.push(resolved.event);
      } catch {
        return [];
      }
      return events;
    };
    /** A claim as a crashed first request leaves it: `$CommandStarted`, and maybe its events. */
    const crashedAfter = async (ctx: CommandContext, step: 'claim' | 'append', streamId = 'counter-1') => {
      await raw.appendToStream(
        commandLogStream(ctx.commandId),
        jsonEvent({ type: BookkeepingTypes.commandStarted, data: { requestHash: ctx.requestHash, streamId } }),
        { expectedRevision: NO_STREAM },
      );
      if (step === 'append') {
        const last = (await store.readStream(streamId)).length - 1;
        await raw.appendToStream(
          streamId,
          toEventData({
            eventId: eventIdFor(ctx.commandId, 0),
            type: 'Incremented',
            data: { by: 1, total: last + 2 },
            metadata: { ...ctx, commandId: ctx.commandId, schemaVersion: 1 },
          }),
          { expectedRevision: last < 0 ? NO_STREAM : BigInt(last) },
        );
      }
    };

    it('appends with ids derived from the command id, and findCommand knows the result', async () => {
      const ctx = context();
      const { result, replayed } = await increment(ctx, { by: 3 });

      expect(replayed).toBe(false);
      const [stored] = await store.readStream('counter-1');
      expect(stored.eventId).toBe(eventIdFor(ctx.commandId, 0));
      expect(result).toEqual({
        streamId: 'counter-1',
        revision: 0,
        position: stored.position,
        events: [{ eventId: stored.eventId, type: 'Incremented', revision: 0, position: stored.position }],
      });
      expect(await store.findCommand(ctx.commandId)).toEqual({ commandId: ctx.commandId, requestHash: ctx.requestHash, result });
      expect(await logTypes(ctx.commandId)).toEqual([BookkeepingTypes.commandStarted]);
    });

    it('answers a retried command with its first result and appends nothing, even after the stream moved on', async () => {
      const ctx = context();
      const first = await increment(ctx);
      await increment(context());

      expect(await increment(ctx)).toEqual({ result: first.result, replayed: true });
      expect(await totals()).toEqual([1, 2]);
    });

    it('refuses a command id reused for a different request, appending nothing', async () => {
      const ctx = context();
      await increment(ctx);

      await expect(increment({ ...ctx, requestHash: 'another-body' }, { by: 5 })).rejects.toBeInstanceOf(CommandIdReusedError);
      await expect(increment({ ...ctx, requestHash: 'another-body' }, { streamId: 'counter-2' })).rejects.toBeInstanceOf(
        CommandIdReusedError,
      );
      expect([await totals(), await totals('counter-2')]).toEqual([[1], []]);
    });

    it('refuses a stale expectedRevision with the actual one, and frees the id for another request', async () => {
      await increment(context());
      const ctx = context();

      await expect(increment(ctx, { expectedRevision: 5 })).rejects.toMatchObject({ expected: 5, actual: 0 });
      await expect(increment(ctx, { expectedRevision: -1 })).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.findCommand(ctx.commandId)).toBeUndefined();
      const other = await increment({ ...ctx, requestHash: 'another-body' }, { expectedRevision: 0, by: 2 });
      expect(other.result.revision).toBe(1);
      expect(await totals()).toEqual([1, 3]);
    });

    it('lets a domain refusal through untouched, appends nothing, and frees the id', async () => {
      const ctx = context();
      await expect(increment(ctx, { by: 0 })).rejects.toBeInstanceOf(CounterRefused);
      expect(await logTypes(ctx.commandId)).toEqual([BookkeepingTypes.commandStarted, BookkeepingTypes.commandReleased]);

      expect((await increment({ ...ctx, requestHash: 'fixed-body' }, { by: 1 })).replayed).toBe(false);
      expect(await totals()).toEqual([1]);
    });

    it('lets exactly one of 20 commands racing on the same expectedRevision win', async () => {
      await increment(context());
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => increment(context(), { expectedRevision: 0 })));

      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === 'rejected') expect(o.reason).toMatchObject({ expected: 0, actual: 1 });
      }
      expect(await totals()).toEqual([1, 2]);
    });

    it('accepts all of 40 concurrent commands without expectedRevision, each decided on the state before it', async () => {
      const cache = new StreamStateCache<CounterState>();
      await Promise.all(Array.from({ length: 40 }, (_, i) => increment(context(), { cache: i % 2 ? cache : undefined })));

      expect(await totals()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    });

    it('appends a command retried 10 times concurrently with itself once, answering each with that result', async () => {
      await increment(context());
      const ctx = context();
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => increment(ctx)));

      expect(await totals()).toEqual([1, 2]);
      const [stored] = await store.readStream('counter-1', { fromRevision: 1 });
      for (const { result } of outcomes) expect(result.events).toEqual([{ eventId: stored.eventId, type: 'Incremented', revision: 1, position: stored.position }]);
    });

    it('after a crash between the claim and the append: a retry appends once; another body is refused', async () => {
      await increment(context());
      const ctx = context();
      await crashedAfter(ctx, 'claim');
      expect(await store.findCommand(ctx.commandId)).toBeUndefined();

      await expect(increment({ ...ctx, requestHash: 'another-body' })).rejects.toBeInstanceOf(CommandIdReusedError);
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => increment(ctx)));

      expect(await totals()).toEqual([1, 2]);
      expect(new Set(outcomes.map((o) => JSON.stringify(o.result))).size).toBe(1);
      expect((await store.findCommand(ctx.commandId))?.result).toEqual(outcomes[0].result);
      expect(await increment(ctx)).toEqual({ result: outcomes[0].result, replayed: true });
    });

    it('after a crash between the append and the answer: a retry gets the stored result, nothing is appended', async () => {
      await increment(context());
      const ctx = context();
      await crashedAfter(ctx, 'append');
      await increment(context());

      const retry = await increment(ctx);

      const stored = (await store.readStream('counter-1'))[1];
      expect(retry).toEqual({
        result: { streamId: 'counter-1', revision: 1, position: stored.position, events: [{ eventId: stored.eventId, type: 'Incremented', revision: 1, position: stored.position }] },
        replayed: true,
      });
      expect(await totals()).toEqual([1, 2, 3]);
      expect((await store.findCommand(ctx.commandId))?.result).toEqual(retry.result);
      await expect(increment({ ...ctx, requestHash: 'another-body' })).rejects.toBeInstanceOf(CommandIdReusedError);
    });

    it('a first request still at work when a retry took its claim over: both append the same ids once, and it cannot release', async () => {
      const ctx = context();
      const command = { commandId: ctx.commandId, requestHash: ctx.requestHash, streamId: 'counter-1' };
      const first = await store.commandClaims.claim(command);
      const retry = await store.commandClaims.claim(command);
      if (first.kind !== 'claimed' || retry.kind !== 'claimed') throw new Error('both should hold the claim');
      expect([first.claim.fresh, retry.claim.fresh]).toEqual([true, false]);
      const events = [
        {
          eventId: eventIdFor(ctx.commandId, 0),
          type: 'Incremented',
          data: { by: 1, total: 1 },
          metadata: { ...ctx, schemaVersion: 1 },
        },
      ];

      const byRetry = await store.commandClaims.appendClaimed('counter-1', events, -1, retry.claim);
      const byFirst = await store.commandClaims.appendClaimed('counter-1', events, -1, first.claim);
      await store.commandClaims.release(first.claim);

      expect(byFirst).toEqual(byRetry);
      expect(await totals()).toEqual([1]);
      expect(await logTypes(ctx.commandId)).toEqual([BookkeepingTypes.commandStarted, BookkeepingTypes.commandResumed]);
      expect((await store.findCommand(ctx.commandId))?.result).toEqual(byRetry);
    });

    it('refuses a plain append, or one with another command, of a copy of an event handleCommand stored', async () => {
      const ctx = context();
      await increment(ctx);
      const [stored] = await store.readStream('counter-1');
      const copy = { eventId: stored.eventId, type: stored.type, data: stored.data, metadata: stored.metadata };

      await expect(store.append('counter-2', [copy], { expectedRevision: 'any' })).rejects.toMatchObject({
        name: 'DuplicateEventIdError',
        eventId: stored.eventId,
      });
      await expect(
        store.append('counter-1', [copy], { expectedRevision: 0, command: { commandId: randomUUID(), requestHash: 'h' } }),
      ).rejects.toMatchObject({ name: 'DuplicateEventIdError' });
      await expect(
        store.append('counter-1', [copy], { expectedRevision: 0, command: { commandId: ctx.commandId, requestHash: 'h' } }),
      ).rejects.toMatchObject({ name: 'CommandAlreadyRecordedError' });
      // The id of a second event of that command was never stored: it is free.
      const second = { ...copy, eventId: eventIdFor(ctx.commandId, 1) };
      expect((await store.append('counter-2', [second], { expectedRevision: 'no_stream' })).revision).toBe(0);
      expect([await totals(), await totals('counter-2')]).toEqual([[1], [1]]);
    });

    it('says "unavailable" when the node is down, whichever of the claim and the read fails first', async () => {
      await increment(context());
      await server.stop();

      for (let i = 0; i < 5; i += 1) {
        const error = await increment(context()).catch((e: unknown) => e);
        expect(isEventStoreUnavailable(error)).toBe(true);
      }
      await server.start();
    });

    it('refuses to append, under a claim, events whose ids are not derived from the command id', async () => {
      const ctx = context();
      const claimed = await store.commandClaims.claim({ commandId: ctx.commandId, requestHash: 'h', streamId: 'counter-1' });
      if (claimed.kind !== 'claimed') throw new Error('should be claimed');
      const event = { eventId: randomUUID(), type: 'Incremented', data: {}, metadata: { ...ctx, schemaVersion: 1 } };

      await expect(store.commandClaims.appendClaimed('counter-1', [event], -1, claimed.claim)).rejects.toThrow('derived');
      expect(await totals()).toEqual([]);
    });
  });
});
