/**
 * handleCommand on EventStoreDB (the in-memory gRPC test server): how many round trips a command
 * costs, and that its guarantees hold on this store as on the embedded one, including the states
 * a crash can leave between the claim of a command id and the append of its events.
 */
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, NO_STREAM, jsonEvent } from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '../event-store.port';
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
  });
});
