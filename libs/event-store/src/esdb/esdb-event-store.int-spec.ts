import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, NO_STREAM, UnavailableError, jsonEvent, type ResolvedEvent } from '@eventstore/db-client';
import { CommandAlreadyRecordedError, type EventToAppend, type RecordedEvent } from '../event-store.port';
import { describeEventStoreContract } from '../testing/event-store.contract';
import { BookkeepingTypes, commandLogStream } from './esdb-command-log';
import { eventIdStream } from './esdb-event-ids';
import { EsdbEventStore, type EsdbEventStoreOptions } from './esdb-event-store';
import { toEventData } from './esdb-mapping';
import { EsdbTestServer } from './test-server/esdb-test-server';
import { InMemoryEsdbState } from './test-server/in-memory-state';

describeEventStoreContract('EsdbEventStore on the in-memory EventStoreDB test server', async () => {
  const server = new EsdbTestServer();
  await server.start();
  const store = await EsdbEventStore.connect(server.connectionString);
  return {
    store,
    cleanup: async () => {
      await store.close();
      await server.stop();
    },
  };
});

const realEventStoreDb = process.env.EVENTSTORE_CONNECTION_STRING;
if (realEventStoreDb) {
  describeEventStoreContract(`EsdbEventStore on the EventStoreDB at EVENTSTORE_CONNECTION_STRING`, async () => {
    const store = await EsdbEventStore.connect(realEventStoreDb);
    return { store, cleanup: () => store.close() };
  });
}

describe('EsdbEventStore on the test server', () => {
  let server: EsdbTestServer;
  let store: EsdbEventStore;
  let raw: EventStoreDBClient;

  const open = async (options: { state?: InMemoryEsdbState; store?: EsdbEventStoreOptions } = {}) => {
    server = new EsdbTestServer({ state: options.state });
    await server.start();
    store = await EsdbEventStore.connect(server.connectionString, options.store);
    raw = EventStoreDBClient.connectionString(server.connectionString);
  };

  afterEach(async () => {
    await store.close();
    await raw.dispose();
    await server.stop();
  });

  const event = (type = 'MemorandumSigned', data: Record<string, unknown> = {}): EventToAppend => ({
    eventId: randomUUID(),
    type,
    data,
    metadata: {
      actor: 'desk-1',
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: '2017-05-04',
      sources: [{ publisher: 'Xinhua' }],
      schemaVersion: 2,
    },
  });
  const rawStream = async (streamId: string) => {
    const events = [];
    for await (const resolved of raw.readStream(streamId) as AsyncIterable<ResolvedEvent>) events.push(resolved.event!);
    return events;
  };
  const until = async (condition: () => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  describe('what it writes, read back with @eventstore/db-client', () => {
    beforeEach(() => open());

    it('names streams as given, types events by their domain name, and puts EventStoreDB correlation keys in the metadata', async () => {
      const signed = event('MemorandumSigned', { signatories: ['RUS', 'TUR', 'IRN'] });
      const commandId = randomUUID();
      await store.append('agreement-astana-1', [signed], {
        expectedRevision: 'no_stream',
        command: { commandId, requestHash: 'h1' },
      });

      const [stored] = await rawStream('agreement-astana-1');

      expect(stored).toMatchObject({
        streamId: 'agreement-astana-1',
        id: signed.eventId,
        type: 'MemorandumSigned',
        isJson: true,
      });
      expect(stored.data).toEqual({ signatories: ['RUS', 'TUR', 'IRN'] });
      expect(stored.metadata).toEqual({
        $correlationId: signed.metadata.correlationId,
        $causationId: signed.metadata.causationId,
        actor: 'desk-1',
        commandId: signed.metadata.commandId,
        occurredAt: '2017-05-04',
        sources: [{ publisher: 'Xinhua' }],
        schemaVersion: 2,
      });
    });

    it('keeps the command log and the event-id registry in $-typed events of their own streams, out of readAll', async () => {
      const appended = event();
      const commandId = randomUUID();
      const result = await store.append('agreement-x', [appended], {
        expectedRevision: 'any',
        command: { commandId, requestHash: 'h1' },
      });

      expect((await rawStream(commandLogStream(commandId))).map((e) => e.type)).toEqual([
        BookkeepingTypes.commandClaimed,
        BookkeepingTypes.commandCompleted,
      ]);
      expect((await rawStream(eventIdStream(appended.eventId))).map((e) => e.type)).toEqual([
        BookkeepingTypes.eventIdReserved,
      ]);
      const everything = await store.readAll();
      expect(everything.map((e) => e.eventId)).toEqual([appended.eventId]);
      expect(await store.headPosition()).toBe(result.position);
    });

    it('writes positions as commit/prepare and reads a bare number as the same commit and prepare', async () => {
      const result = await store.append('agreement-x', [event()], { expectedRevision: 'no_stream' });

      expect(result.position).toMatch(/^\d+\/\d+$/);
      expect(store.parsePosition('0')).toBe('0/0');
      expect(store.comparePositions('0', result.position)).toBeLessThan(0);
    });
  });

  describe('readAll and subscribeToAll', () => {
    it('page through $all the same way whatever the page size', async () => {
      await open({ store: { readPageSize: 2 } });
      const unpaged = await EsdbEventStore.connect(server.connectionString);
      try {
        for (let n = 0; n < 7; n += 1) {
          await store.append(`agreement-${n % 3}`, [event(n % 2 ? 'Opened' : 'Counted')], { expectedRevision: 'any' });
        }
        const all = await unpaged.readAll();
        const cases = [
          {},
          { maxCount: 5 },
          { fromPosition: all[2].position },
          { fromPosition: all[2].position, maxCount: 3, types: ['Counted'] },
          { direction: 'backwards' as const },
          { direction: 'backwards' as const, fromPosition: all[5].position, maxCount: 4 },
          { direction: 'backwards' as const, fromPosition: all[5].position, types: ['Opened'] },
        ];

        for (const options of cases) {
          expect(await store.readAll(options)).toEqual(await unpaged.readAll(options));
        }
        expect(all).toHaveLength(7);
        expect((await store.readAll({ fromPosition: all[2].position, maxCount: 3 })).map((e) => e.eventId)).toEqual(
          all.slice(2, 5).map((e) => e.eventId),
        );
      } finally {
        await unpaged.close();
      }
    });

    it('pass over events of $-streams that are not $-typed (EventStoreDB writes some), without failing', async () => {
      await open();
      await raw.appendToStream(
        '$persistentSubscriptionConfig',
        jsonEvent({ type: 'PersistentConfig1', data: { entries: [] } }),
      );
      const ours = await store.append('agreement-x', [event()], { expectedRevision: 'no_stream' });

      expect((await store.readAll()).map((e) => e.eventId)).toEqual([ours.events[0].eventId]);
      const subscription = store.subscribeToAll();
      const first = await subscription[Symbol.asyncIterator]().next();
      await subscription.close();
      expect(first.value?.eventId).toBe(ours.events[0].eventId);
    });
  });

  describe('a command left pending by a writer that crashed', () => {
    const claim = async (
      commandId: string,
      streamId: string,
      events: EventToAppend[],
      expectedRevision: 'any' | 'no_stream',
    ) => {
      await raw.appendToStream(
        commandLogStream(commandId),
        jsonEvent({
          type: BookkeepingTypes.commandClaimed,
          data: { commandId, requestHash: 'h1', streamId, expectedRevision, observedRevision: -1, events },
        }),
        { expectedRevision: NO_STREAM },
      );
    };

    it('is finished by findCommand when it crashed before appending the events', async () => {
      await open();
      const commandId = randomUUID();
      const events = [event(), event()];
      await claim(commandId, 'agreement-x', events, 'no_stream');

      const record = await store.findCommand(commandId);

      expect(record).toMatchObject({ commandId, requestHash: 'h1', result: { streamId: 'agreement-x', revision: 1 } });
      expect((await store.readStream('agreement-x')).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
      expect(await store.findCommand(commandId)).toEqual(record);
    });

    it('is answered as a retry, without appending twice, when it crashed after appending with any (even once the server cache forgot the ids)', async () => {
      await open({ state: new InMemoryEsdbState({ committedEventsCacheCapacity: 1 }) });
      const commandId = randomUUID();
      const events = [event()];
      await claim(commandId, 'agreement-x', events, 'any');
      // The crashed writer got as far as its append.
      await raw.appendToStream('agreement-x', events.map(toEventData), { expectedRevision: NO_STREAM });
      const [stored] = await store.readStream('agreement-x');
      await store.append('agreement-other', [event()], { expectedRevision: 'any' });

      let retried: unknown;
      try {
        await store.append('agreement-x', [event()], {
          expectedRevision: 'any',
          command: { commandId, requestHash: 'h1' },
        });
      } catch (error) {
        retried = error;
      }

      expect(retried).toBeInstanceOf(CommandAlreadyRecordedError);
      expect((retried as CommandAlreadyRecordedError).record.result).toEqual({
        streamId: 'agreement-x',
        revision: 0,
        position: stored.position,
        events: [{ eventId: events[0].eventId, type: events[0].type, revision: 0, position: stored.position }],
      });
      expect(await store.readStream('agreement-x')).toHaveLength(1);
    });
  });

  it('keeps a live subscription through a server stop and restart: it resumes after its last event, nothing lost or twice', async () => {
    const errors: unknown[] = [];
    await open({
      store: { resubscribe: { initialBackoffMs: 300, maxBackoffMs: 300, onError: (error) => errors.push(error) } },
    });
    const before = await store.append('agreement-x', [event(), event(), event()], { expectedRevision: 'no_stream' });
    const subscription = store.subscribeToAll();
    const received: RecordedEvent[] = [];
    const loop = (async () => {
      for await (const delivered of subscription) received.push(delivered);
    })();
    await until(() => received.length === 3);

    await server.stop();
    await until(() => errors.length > 0);
    await server.start();
    // Written before the subscription is back (it waits 150-300 ms): they come with its catch-up...
    const whileAway = await store.append('agreement-x', [event(), event()], { expectedRevision: 2 });
    await until(() => received.length === 5);
    // ...and these live.
    const after = await store.append('agreement-y', [event()], { expectedRevision: 'no_stream' });
    await until(() => received.length === 6);
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(errors[0]).toBeInstanceOf(UnavailableError);
    expect(received.map((e) => e.eventId)).toEqual(
      [...before.events, ...whileAway.events, ...after.events].map((e) => e.eventId),
    );
    await subscription.close();
    await loop;
  });
});
