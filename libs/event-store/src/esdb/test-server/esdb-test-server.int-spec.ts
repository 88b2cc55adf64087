import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { StreamsClient } from '@eventstore/db-client/generated/streams_grpc_pb';
import { AppendReq, AppendResp, DeleteReq, DeleteResp } from '@eventstore/db-client/generated/streams_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { EsdbTestServer } from './esdb-test-server';
import { InMemoryEsdbState } from './in-memory-state';

describe('EsdbTestServer, through @eventstore/db-client', () => {
  let server: EsdbTestServer;
  let client: EventStoreDBClient;
  const clients: EventStoreDBClient[] = [];
  const rawClients: grpc.Client[] = [];

  const start = async (state?: InMemoryEsdbState) => {
    server = new EsdbTestServer({ state });
    await server.start();
    client = EventStoreDBClient.connectionString(server.connectionString);
    clients.push(client);
  };
  const event = (type = 'Counted', data: Record<string, unknown> = {}) => jsonEvent({ id: randomUUID(), type, data });
  const append = (stream: string, events: ReturnType<typeof event>[], expectedRevision: AppendExpectedRevision) =>
    client.appendToStream(stream, events, { expectedRevision });
  const collect = async <T>(read: AsyncIterable<T>): Promise<T[]> => {
    const out: T[] = [];
    for await (const item of read) out.push(item);
    return out;
  };
  const readStream = async (stream: string, options: Parameters<EventStoreDBClient['readStream']>[1] = {}) =>
    (await collect<ResolvedEvent>(client.readStream(stream, options))).map((e) => e.event!);
  const readAll = async (options: Parameters<EventStoreDBClient['readAll']>[0] = {}) =>
    (await collect<AllStreamResolvedEvent>(client.readAll(options))).map((e) => e.event!);
  const rejection = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected a rejection');
  };
  const raw = <C extends grpc.Client>(Client: new (address: string, credentials: grpc.ChannelCredentials) => C): C => {
    const created = new Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    rawClients.push(created);
    return created;
  };

  afterEach(async () => {
    for (const created of clients.splice(0)) await created.dispose();
    for (const created of rawClients.splice(0)) created.close();
    await server.stop();
  });

  describe('the services a client finds', () => {
    beforeEach(() => start());

    it('lists streams read and append in ServerFeatures, so the client appends without BatchAppend', async () => {
      const features = await new Promise<SupportedMethods>((resolve, reject) =>
        raw(ServerFeaturesClient).getSupportedMethods(new Empty(), (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );

      const methods = features.getMethodsList().map((m) => `${m.getServiceName()}/${m.getMethodName()}`);
      expect(methods).toEqual(
        expect.arrayContaining([
          'event_store.client.streams.streams/read',
          'event_store.client.streams.streams/append',
        ]),
      );
      expect(methods).not.toContain('event_store.client.streams.streams/batchappend');
      const result = await append('counter', [event()], NO_STREAM);
      expect(result.nextExpectedRevision).toBe(0n);
    });

    it('answers UNIMPLEMENTED to Delete and BatchAppend', async () => {
      const streams = raw(StreamsClient);
      const deleteRequest = new DeleteReq().setOptions(
        new DeleteReq.Options()
          .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from('counter')))
          .setAny(new Empty()),
      );
      const deleted = await new Promise<grpc.ServiceError | null>((resolve) =>
        streams.delete(deleteRequest, (error: grpc.ServiceError | null, _response: DeleteResp) => resolve(error)),
      );
      expect(deleted?.code).toBe(grpc.status.UNIMPLEMENTED);

      const batch = streams.batchAppend();
      const batchError = await new Promise<grpc.ServiceError>((resolve) => batch.on('error', resolve));
      expect(batchError.code).toBe(grpc.status.UNIMPLEMENTED);
    });

    it('refuses a proposed message without content-type, as the server does', async () => {
      const sink = await new Promise<grpc.ServiceError | null>((resolve) => {
        const call = raw(StreamsClient).append((error: grpc.ServiceError | null, _response: AppendResp) =>
          resolve(error),
        );
        call.write(
          new AppendReq().setOptions(
            new AppendReq.Options()
              .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from('counter')))
              .setAny(new Empty()),
          ),
        );
        const message = new AppendReq.ProposedMessage()
          .setId(new UUID().setString(randomUUID()))
          .setData(Buffer.from('{}'));
        message.getMetadataMap().set('type', 'Counted');
        call.write(new AppendReq().setProposedMessage(message));
        call.end();
      });
      expect(sink?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(sink?.metadata.get('exception')).toEqual(['missing-required-metadata-property']);
    });
  });

  describe('Append', () => {
    beforeEach(() => start());

    it('answers the last revision and the position of the last event; commit = prepare, growing', async () => {
      const first = await append('counter', [event(), event()], NO_STREAM);
      const second = await append('counter', [event()], 1n);

      expect(first.nextExpectedRevision).toBe(1n);
      expect(second.nextExpectedRevision).toBe(2n);
      expect(first.position!.commit).toBe(first.position!.prepare);
      expect(second.position!.commit).toBeGreaterThan(first.position!.commit);
      const stored = await readStream('counter');
      expect(stored.map((e) => e.position)).toEqual([expect.anything(), first.position, second.position]);
    });

    it('checks any, no_stream, stream_exists and exact revisions, reporting the current revision or no stream', async () => {
      const missingExact = await rejection(append('counter', [event()], 3n));
      const missingExists = await rejection(append('counter', [event()], STREAM_EXISTS));
      await append('counter', [event()], 'any');
      const created = await rejection(append('counter', [event()], NO_STREAM));
      const stale = await rejection(append('counter', [event()], 5n));
      const exists = await append('counter', [event()], STREAM_EXISTS);

      expect(missingExact).toBeInstanceOf(WrongExpectedVersionError);
      expect(missingExact).toMatchObject({ actualVersion: 'no_stream', expectedVersion: 3n });
      expect(missingExists).toMatchObject({ actualVersion: 'no_stream', expectedVersion: 'stream_exists' });
      expect(created).toMatchObject({ actualVersion: 0n, expectedVersion: 'no_stream' });
      expect(stale).toMatchObject({ actualVersion: 0n, expectedVersion: 5n });
      expect(exists.nextExpectedRevision).toBe(1n);
    });

    it('takes the same events again at the same expected revision as done: the first result, nothing appended', async () => {
      const events = [event(), event()];
      const first = await append('counter', events, NO_STREAM);
      await append('counter', [event()], 1n);

      const again = await append('counter', events, NO_STREAM);
      const partly = await rejection(append('counter', [events[0], event()], NO_STREAM));
      const shifted = await rejection(append('counter', events, 0n));

      expect(again).toEqual(first);
      expect(partly).toBeInstanceOf(WrongExpectedVersionError);
      expect(shifted).toBeInstanceOf(WrongExpectedVersionError);
      expect(await readStream('counter')).toHaveLength(3);
    });
  });

  describe('Append idempotency and the committed-event cache', () => {
    it('with any, recognises a retry only while the ids are in its bounded cache, as the real server', async () => {
      await start(new InMemoryEsdbState({ committedEventsCacheCapacity: 2 }));
      const events = [event()];
      const first = await append('counter', events, 'any');
      expect(await append('counter', events, 'any')).toEqual(first);

      await append('other', [event(), event()], 'any');
      await append('counter', events, 'any');

      expect((await readStream('counter')).map((e) => e.id)).toEqual([events[0].id, events[0].id]);
    });

    it('keeps exact-revision idempotency when the cache has forgotten the ids (it looks at the stream)', async () => {
      await start(new InMemoryEsdbState({ committedEventsCacheCapacity: 1 }));
      const events = [event(), event()];
      const first = await append('counter', events, NO_STREAM);
      await append('other', [event()], 'any');

      expect(await append('counter', events, NO_STREAM)).toEqual(first);
      expect(await readStream('counter')).toHaveLength(2);
    });
  });

  describe('Read', () => {
    beforeEach(() => start());

    it('reads a stream both ways from start, end or a revision, with count, positions included', async () => {
      await append(
        'counter',
        [0, 1, 2, 3, 4].map((n) => event('Counted', { n })),
        NO_STREAM,
      );

      const revisions = async (options: Parameters<EventStoreDBClient['readStream']>[1]) =>
        (await readStream('counter', options)).map((e) => Number(e.revision));
      expect(await revisions({})).toEqual([0, 1, 2, 3, 4]);
      expect(await revisions({ fromRevision: 2n, maxCount: 2 })).toEqual([2, 3]);
      expect(await revisions({ fromRevision: END })).toEqual([]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: END, maxCount: 2 })).toEqual([4, 3]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: 2n })).toEqual([2, 1, 0]);
      expect(await revisions({ direction: BACKWARDS, fromRevision: 40n, maxCount: 1 })).toEqual([4]);
      expect((await readStream('counter')).every((e) => e.position && e.position.commit === e.position.prepare)).toBe(
        true,
      );
    });

    it('answers stream_not_found for a missing stream', async () => {
      expect(await rejection(readStream('missing'))).toBeInstanceOf(StreamNotFoundError);
      expect(await rejection(readStream('missing', { direction: BACKWARDS, fromRevision: END }))).toBeInstanceOf(
        StreamNotFoundError,
      );
    });

    it('reads $all forwards from a position inclusive and backwards from a position exclusive, system events included', async () => {
      await append('a', [event('Opened')], NO_STREAM);
      await append('b', [event('Opened'), event('Counted')], NO_STREAM);

      const all = await readAll();
      expect(all[0].type).toBe('$settings');
      const ours = all.filter((e) => !e.type.startsWith('$'));
      expect(ours.map((e) => `${e.streamId}/${e.revision}`)).toEqual(['a/0', 'b/0', 'b/1']);
      const fromSecond = await readAll({ fromPosition: ours[1].position, maxCount: 2 });
      expect(fromSecond.map((e) => e.id)).toEqual([ours[1].id, ours[2].id]);
      const beforeThird = await readAll({ direction: BACKWARDS, fromPosition: ours[2].position, maxCount: 2 });
      expect(beforeThird.map((e) => e.id)).toEqual([ours[1].id, ours[0].id]);
      expect((await readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))[0].id).toBe(ours[2].id);
      expect(await readAll({ fromPosition: END })).toEqual([]);
    });
  });

  describe('subscriptions', () => {
    beforeEach(() => start());

    /** Follows a subscription, recording what it emits, in order. */
    const follow = (subscription: NodeJS.EventEmitter & { unsubscribe(): Promise<void> }) => {
      const log: string[] = [];
      const events: Array<{ id: string; type: string; streamId: string; position?: Position; revision: bigint }> = [];
      subscription.on('confirmation', () => log.push('confirmation'));
      subscription.on('caughtUp', () => log.push('caughtUp'));
      subscription.on('data', (resolved: ResolvedEvent) => {
        log.push(`event:${resolved.event!.type}`);
        events.push(resolved.event!);
      });
      return { log, events, subscription };
    };
    const until = async (condition: () => boolean, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error('timed out');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    it('to $all: confirmation, catch-up, caughtUp, then live events, each once', async () => {
      await append('a', [event('Opened')], NO_STREAM);
      const followed = follow(client.subscribeToAll({ fromPosition: START }));
      await until(() => followed.log.includes('caughtUp'));
      await append('a', [event('Counted')], 0n);
      await until(() => followed.events.length === 3);

      expect(followed.log).toEqual(['confirmation', 'event:$settings', 'event:Opened', 'caughtUp', 'event:Counted']);
      await followed.subscription.unsubscribe();
    });

    it('to $all after a position, or to a stream after a revision, starts with the next event', async () => {
      const first = await append('a', [event('Opened'), event('Counted')], NO_STREAM);
      const [opened] = await readStream('a');

      const all = follow(client.subscribeToAll({ fromPosition: opened.position! }));
      const stream = follow(client.subscribeToStream('a', { fromRevision: 0n }));
      await until(() => all.log.includes('caughtUp') && stream.log.includes('caughtUp'));

      expect(all.events.map((e) => e.position)).toEqual([first.position]);
      expect(stream.events.map((e) => Number(e.revision))).toEqual([1]);
      await all.subscription.unsubscribe();
      await stream.subscription.unsubscribe();
    });

    it('filters $all by event type or stream name, leaving out system events, with checkpoints every window', async () => {
      for (let n = 0; n < 20; n += 1)
        await append(n % 2 ? 'odd-1' : 'even-1', [event(n % 4 === 0 ? 'Opened' : 'Counted')], 'any');
      const checkpoints: Position[] = [];

      const nonSystem = follow(client.subscribeToAll({ filter: excludeSystemEvents() }));
      const opened = follow(client.subscribeToAll({ filter: eventTypeFilter({ prefixes: ['Open'] }) }));
      const odd = follow(
        client.subscribeToAll({
          filter: streamNameFilter({
            regex: '^odd-',
            maxSearchWindow: 4,
            checkpointInterval: 1,
            checkpointReached: (_subscription, position) => {
              checkpoints.push(position);
            },
          }),
        }),
      );
      await until(() => [nonSystem, opened, odd].every((f) => f.log.includes('caughtUp')));

      expect(nonSystem.events).toHaveLength(20);
      expect(opened.events.map((e) => e.type)).toEqual(Array(5).fill('Opened'));
      expect(new Set(odd.events.map((e) => e.streamId))).toEqual(new Set(['odd-1']));
      // 21 records considered ($settings included), a checkpoint after every 4.
      expect(checkpoints).toHaveLength(5);
      const all = await readAll();
      expect(checkpoints[0]).toEqual(all[3].position);
      for (const f of [nonSystem, opened, odd]) await f.subscription.unsubscribe();
    });

    it('survives a stop and a start on the same port with the same data: the client sees UNAVAILABLE', async () => {
      await append('a', [event('Opened')], NO_STREAM);
      const errors: unknown[] = [];
      const subscription = client.subscribeToAll({ fromPosition: START });
      subscription.on('error', (error) => errors.push(error));
      const followed = follow(subscription);
      await until(() => followed.log.includes('caughtUp'));
      const port = server.port;

      await server.stop();
      await until(() => errors.length > 0);
      await server.start();

      expect(server.port).toBe(port);
      expect(errors[0]).toBeInstanceOf(UnavailableError);
      const appended = await append('a', [event('Counted')], 0n);
      expect(appended.nextExpectedRevision).toBe(1n);
      expect((await readStream('a')).map((e) => e.type)).toEqual(['Opened', 'Counted']);
    });
  });

  describe('its state', () => {
    it('outlives the server: a new server on the same state object sees the same data', async () => {
      const state = new InMemoryEsdbState();
      await start(state);
      await append('a', [event('Opened')], NO_STREAM);
      await client.dispose();
      await server.stop();

      await start(state);

      expect((await readStream('a')).map((e) => e.type)).toEqual(['Opened']);
      expect((await readAll({ direction: FORWARDS })).filter((e) => e.type === '$settings')).toHaveLength(1);
    });
  });
});
