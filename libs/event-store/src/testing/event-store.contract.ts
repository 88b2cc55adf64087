import { randomUUID } from 'node:crypto';
import {
  AppendResult,
  CommandAlreadyRecordedError,
  DuplicateEventIdError,
  EventMetadata,
  EventStore,
  EventToAppend,
  RecordedEvent,
  Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';

export interface EventStoreUnderTest {
  store: EventStore;
  /** Closes the store and removes whatever the factory created. */
  cleanup(): Promise<void>;
}

/**
 * The behaviour every EventStore implementation must have. It uses the port only, and it does not
 * assume the store starts empty or that nothing else writes to it (a real EventStoreDB holds
 * system events and the rows of earlier runs): every test writes to streams and types unique to
 * itself and looks only at those, except where a statement about "the next event" is the point.
 */
export function describeEventStoreContract(name: string, factory: () => Promise<EventStoreUnderTest>): void {
  describe(`${name} satisfies the EventStore contract`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    let run: string;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
      run = randomUUID().slice(0, 8);
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
      await cleanup();
    });

    const stream = (label: string) => `${label}-${run}`;
    const typeName = (label: string) => `${label}_${run}`;
    const metadata = (overrides: Partial<EventMetadata> = {}): EventMetadata => ({
      actor: 'desk-1',
      commandId: randomUUID(),
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: '2017-05-04',
      sources: [{ publisher: 'Xinhua', url: 'http://www.xinhuanet.com/a', publishedAt: '2017-07-06' }],
      schemaVersion: 1,
      ...overrides,
    });
    const event = (label = 'Counted', data: Record<string, unknown> = {}): EventToAppend => ({
      eventId: randomUUID(),
      type: typeName(label),
      data,
      metadata: metadata(),
    });
    const events = (count: number, label = 'Counted') => Array.from({ length: count }, (_, n) => event(label, { n }));
    const ids = (list: Array<{ eventId: string }>) => list.map((e) => e.eventId);
    const ours = (list: RecordedEvent[]) => list.filter((e) => e.streamId.endsWith(`-${run}`));
    const subscribe = (afterPosition?: string) => {
      const subscription = store.subscribeToAll(afterPosition === undefined ? {} : { afterPosition });
      subscriptions.push(subscription);
      return new SubscriptionReader(subscription);
    };
    const expectPositionsIncreasing = (positions: string[]) => {
      for (let i = 1; i < positions.length; i += 1) {
        expect(store.comparePositions(positions[i - 1], positions[i])).toBeLessThan(0);
      }
    };
    const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      throw new Error('expected a rejection, the promise resolved');
    };

    describe('append with an expected revision', () => {
      it('starts a new stream at revision 0 with no_stream and reports every appended event', async () => {
        const appended = events(2);
        const result = await store.append(stream('counter'), appended, { expectedRevision: 'no_stream' });

        expect(result.streamId).toBe(stream('counter'));
        expect(result.revision).toBe(1);
        expect(result.events.map((e) => [e.eventId, e.type, e.revision])).toEqual([
          [appended[0].eventId, appended[0].type, 0],
          [appended[1].eventId, appended[1].type, 1],
        ]);
        expect(result.position).toBe(result.events[1].position);
        const stored = await store.readStream(stream('counter'));
        expect(ids(stored)).toEqual(ids(appended));
        expect(stored.map((e) => e.position)).toEqual(result.events.map((e) => e.position));
      });

      it('refuses no_stream once the stream exists, reporting the actual revision, and stores nothing', async () => {
        await store.append(stream('counter'), events(1), { expectedRevision: 'no_stream' });

        const error = await rejection(store.append(stream('counter'), events(1), { expectedRevision: 'no_stream' }));

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: stream('counter'), expected: 'no_stream', actual: 0 });
        expect(await store.readStream(stream('counter'))).toHaveLength(1);
      });

      it('appends on the exact last revision and refuses a stale one with the actual revision', async () => {
        await store.append(stream('counter'), events(1), { expectedRevision: 'no_stream' });
        const second = await store.append(stream('counter'), events(1), { expectedRevision: 0 });
        expect(second.revision).toBe(1);

        const error = await rejection(store.append(stream('counter'), events(1), { expectedRevision: 0 }));

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ streamId: stream('counter'), expected: 0, actual: 1 });
        expect(await store.readStream(stream('counter'))).toHaveLength(2);
      });

      it('refuses an exact revision on a missing stream with actual -1', async () => {
        const error = await rejection(store.append(stream('missing'), events(1), { expectedRevision: 3 }));

        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 3, actual: -1 });
        expect(await store.readStream(stream('missing'))).toEqual([]);
      });

      it('refuses stream_exists on a missing stream (actual -1) and accepts it on an existing one', async () => {
        const error = await rejection(store.append(stream('counter'), events(1), { expectedRevision: 'stream_exists' }));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect(error).toMatchObject({ expected: 'stream_exists', actual: -1 });

        await store.append(stream('counter'), events(1), { expectedRevision: 'no_stream' });
        const result = await store.append(stream('counter'), events(1), { expectedRevision: 'stream_exists' });
        expect(result.revision).toBe(1);
      });

      it('appends with any whether or not the stream exists', async () => {
        const first = await store.append(stream('counter'), events(1), { expectedRevision: 'any' });
        const second = await store.append(stream('counter'), events(2), { expectedRevision: 'any' });

        expect(first.revision).toBe(0);
        expect(second.revision).toBe(2);
        expect(second.events.map((e) => e.revision)).toEqual([1, 2]);
      });

      it('refuses an append without events', async () => {
        await expect(store.append(stream('counter'), [], { expectedRevision: 'any' })).rejects.toThrow(Error);
        expect(await store.readStream(stream('counter'))).toEqual([]);
      });
    });

    describe('what an append stores', () => {
      it('stores all events of one append with consecutive revisions and increasing positions', async () => {
        const result = await store.append(stream('counter'), events(3), { expectedRevision: 'no_stream' });

        expect(result.events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expectPositionsIncreasing(result.events.map((e) => e.position));
      });

      it('stores none of the events of an append when one of them is refused', async () => {
        const existing = event();
        await store.append(stream('other'), [existing], { expectedRevision: 'no_stream' });
        const reusing = [event(), event(), { ...event(), eventId: existing.eventId }];

        const error = await rejection(store.append(stream('counter'), reusing, { expectedRevision: 'any' }));

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream('counter'))).toEqual([]);
        expect((await store.readAll({ types: [typeName('Counted')] })).map((e) => e.eventId)).toEqual([
          existing.eventId,
        ]);
      });

      it('holds an event id once: reusing it in another stream, the same stream or the same append is refused', async () => {
        const first = event();
        await store.append(stream('first'), [first], { expectedRevision: 'no_stream' });

        const elsewhere = await rejection(
          store.append(stream('second'), [{ ...event(), eventId: first.eventId }], { expectedRevision: 'any' }),
        );
        const sameStream = await rejection(
          store.append(stream('first'), [{ ...event(), eventId: first.eventId }], { expectedRevision: 'any' }),
        );
        const twin = event();
        const withinOneAppend = await rejection(
          store.append(stream('third'), [twin, { ...event(), eventId: twin.eventId }], { expectedRevision: 'any' }),
        );

        expect(elsewhere).toBeInstanceOf(DuplicateEventIdError);
        expect(elsewhere).toMatchObject({ eventId: first.eventId });
        expect(sameStream).toBeInstanceOf(DuplicateEventIdError);
        expect(withinOneAppend).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(stream('first'))).toHaveLength(1);
        expect(await store.readStream(stream('second'))).toEqual([]);
        expect(await store.readStream(stream('third'))).toEqual([]);
      });

      it('gives back data and metadata exactly as appended, with the stream, revision and position', async () => {
        const appended: EventToAppend = {
          eventId: randomUUID(),
          type: typeName('MemorandumSigned'),
          data: {
            signatories: [
              { id: 'RUS', name: 'Russia' },
              { id: 'TUR', name: 'Türkiye' },
            ],
            note: 'Астана — "quoted"',
            count: 3,
            flag: false,
            nothing: null,
          },
          metadata: metadata({ occurredAt: '2017-05' }),
        };
        const result = await store.append(stream('agreement'), [appended], { expectedRevision: 'no_stream' });

        const [stored] = await store.readStream(stream('agreement'));

        expect(stored).toMatchObject({
          eventId: appended.eventId,
          type: appended.type,
          streamId: stream('agreement'),
          revision: 0,
          position: result.position,
        });
        expect(stored.data).toEqual(appended.data);
        expect(stored.metadata).toEqual(appended.metadata);
      });

      it('finds a stored event by its id, and nothing for an id it does not hold', async () => {
        const appended = events(3);
        await store.append(stream('lookup'), appended, { expectedRevision: 'no_stream' });

        const found = await store.findEvent(appended[1].eventId);

        expect(found).toMatchObject({ eventId: appended[1].eventId, streamId: stream('lookup'), revision: 1, type: appended[1].type });
        expect(found!.data).toEqual(appended[1].data);
        expect(await store.findEvent(randomUUID())).toBeUndefined();
      });

      it('sets recordedAt to the commit time, in UTC', async () => {
        const before = Date.now();
        await store.append(stream('counter'), events(2), { expectedRevision: 'no_stream' });
        const after = Date.now();

        const stored = await store.readStream(stream('counter'));

        for (const e of stored) {
          expect(e.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
          // A server's clock may differ a little from the test machine's.
          expect(Date.parse(e.recordedAt)).toBeGreaterThanOrEqual(before - 60_000);
          expect(Date.parse(e.recordedAt)).toBeLessThanOrEqual(after + 60_000);
        }
      });
    });

    describe('command log', () => {
      it('logs a command with the result of its append', async () => {
        const commandId = randomUUID();
        const result = await store.append(stream('counter'), events(2), {
          expectedRevision: 'no_stream',
          command: { commandId, requestHash: 'hash-1' },
        });

        expect(await store.findCommand(commandId)).toEqual({ commandId, requestHash: 'hash-1', result });
      });

      it('knows nothing of a command that was never appended', async () => {
        expect(await store.findCommand(randomUUID())).toBeUndefined();
      });

      it('refuses a second append with a logged command id, answering with the first record, and stores nothing', async () => {
        const commandId = randomUUID();
        const first = await store.append(stream('counter'), events(1), {
          expectedRevision: 'no_stream',
          command: { commandId, requestHash: 'hash-1' },
        });

        const again = await rejection(
          store.append(stream('counter'), events(1), { expectedRevision: 'any', command: { commandId, requestHash: 'hash-1' } }),
        );
        const elsewhere = await rejection(
          store.append(stream('other'), events(1), { expectedRevision: 'any', command: { commandId, requestHash: 'hash-2' } }),
        );

        for (const error of [again, elsewhere]) {
          expect(error).toBeInstanceOf(CommandAlreadyRecordedError);
          expect((error as CommandAlreadyRecordedError).record).toEqual({ commandId, requestHash: 'hash-1', result: first });
        }
        expect(await store.readStream(stream('counter'))).toHaveLength(1);
        expect(await store.readStream(stream('other'))).toEqual([]);
      });

      it('logs nothing for a command whose append was refused, so it can be retried', async () => {
        const commandId = randomUUID();
        const refused = await rejection(
          store.append(stream('counter'), events(1), { expectedRevision: 5, command: { commandId, requestHash: 'h' } }),
        );
        expect(refused).toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.findCommand(commandId)).toBeUndefined();

        const result = await store.append(stream('counter'), events(1), {
          expectedRevision: 'no_stream',
          command: { commandId, requestHash: 'h' },
        });
        expect((await store.findCommand(commandId))?.result).toEqual(result);
      });

      it('lets only one of two racing appends with one command id through', async () => {
        const commandId = randomUUID();
        const outcomes = await Promise.allSettled([
          store.append(stream('a'), events(1), { expectedRevision: 'any', command: { commandId, requestHash: 'h' } }),
          store.append(stream('b'), events(1), { expectedRevision: 'any', command: { commandId, requestHash: 'h' } }),
        ]);

        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost[0].reason).toBeInstanceOf(CommandAlreadyRecordedError);
        const stored = [...(await store.readStream(stream('a'))), ...(await store.readStream(stream('b')))];
        expect(stored).toHaveLength(1);
      });
    });

    describe('positions', () => {
      it('increase strictly across streams in commit order', async () => {
        const results: AppendResult[] = [];
        for (const label of ['a', 'b', 'a', 'c', 'b']) {
          results.push(await store.append(stream(label), events(1), { expectedRevision: 'any' }));
        }

        expectPositionsIncreasing(results.map((r) => r.position));
        const all = ours(await store.readAll({ fromPosition: results[0].position, types: [typeName('Counted')] }));
        expect(all.map((e) => e.position)).toEqual(results.map((r) => r.position));
      });

      it('parse back to themselves, compare as they were committed, and the head is not before the last one', async () => {
        const first = await store.append(stream('a'), events(1), { expectedRevision: 'any' });
        const second = await store.append(stream('b'), events(1), { expectedRevision: 'any' });

        expect(store.comparePositions(store.parsePosition(first.position), first.position)).toBe(0);
        expect(store.comparePositions(first.position, second.position)).toBeLessThan(0);
        expect(store.comparePositions(second.position, first.position)).toBeGreaterThan(0);
        const head = await store.headPosition();
        expect(head).toBeDefined();
        expect(store.comparePositions(head as string, second.position)).toBeGreaterThanOrEqual(0);
      });

      it('refuses to parse text that is not a position', () => {
        for (const text of ['', 'not-a-position', '-1', ' ']) {
          expect(() => store.parsePosition(text)).toThrow();
        }
      });
    });

    describe('readStream', () => {
      const seed = async () => {
        const appended = events(5);
        await store.append(stream('counter'), appended, { expectedRevision: 'no_stream' });
        return appended;
      };
      const revisions = (list: RecordedEvent[]) => list.map((e) => e.revision);

      it('reads forwards from the start, or from a revision (inclusive) for at most maxCount events', async () => {
        const appended = await seed();

        expect(ids(await store.readStream(stream('counter')))).toEqual(ids(appended));
        expect(revisions(await store.readStream(stream('counter'), { fromRevision: 2, maxCount: 2 }))).toEqual([2, 3]);
        expect(revisions(await store.readStream(stream('counter'), { direction: 'forwards', fromRevision: 3 }))).toEqual([3, 4]);
        expect(await store.readStream(stream('counter'), { fromRevision: 5 })).toEqual([]);
      });

      it('reads backwards from the end, or from a revision (inclusive) for at most maxCount events', async () => {
        await seed();

        expect(revisions(await store.readStream(stream('counter'), { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream('counter'), { direction: 'backwards', maxCount: 2 }))).toEqual([4, 3]);
        expect(
          revisions(await store.readStream(stream('counter'), { direction: 'backwards', fromRevision: 3, maxCount: 2 })),
        ).toEqual([3, 2]);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(stream('missing'))).toEqual([]);
        expect(await store.readStream(stream('missing'), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readAll', () => {
      const seed = async () => {
        const appended: RecordedEvent[] = [];
        const plan: Array<[string, string]> = [
          ['a', 'Opened'],
          ['b', 'Opened'],
          ['a', 'Counted'],
          ['b', 'Counted'],
          ['a', 'Closed'],
        ];
        for (const [label, type] of plan) {
          await store.append(stream(label), [event(type)], { expectedRevision: 'any' });
        }
        for (const label of ['a', 'b']) appended.push(...(await store.readStream(stream(label))));
        return appended.sort((x, y) => store.comparePositions(x.position, y.position));
      };
      const allTypes = () => ['Opened', 'Counted', 'Closed'].map(typeName);

      it('reads forwards from a position, inclusive, for at most maxCount events', async () => {
        const seeded = await seed();

        const fromSecond = await store.readAll({ fromPosition: seeded[1].position, maxCount: 2, types: allTypes() });
        expect(ids(fromSecond)).toEqual(ids(seeded.slice(1, 3)));
        const fromFirst = await store.readAll({ direction: 'forwards', fromPosition: seeded[0].position, maxCount: 1 });
        expect(ids(fromFirst)).toEqual([seeded[0].eventId]);
        expect(fromFirst[0]).toEqual(seeded[0]);
      });

      it('reads backwards from a position, inclusive, for at most maxCount events', async () => {
        const seeded = await seed();

        const back = await store.readAll({ direction: 'backwards', fromPosition: seeded[3].position, maxCount: 3, types: allTypes() });
        expect(ids(back)).toEqual(ids([seeded[3], seeded[2], seeded[1]]));
        const fromLast = await store.readAll({ direction: 'backwards', fromPosition: seeded[4].position, maxCount: 1 });
        expect(ids(fromLast)).toEqual([seeded[4].eventId]);
      });

      it('reads from the start forwards and from the end backwards when no position is given', async () => {
        const seeded = await seed();

        const [first] = await store.readAll({ maxCount: 1 });
        expect(store.comparePositions(first.position, seeded[0].position)).toBeLessThanOrEqual(0);
        const newest = ours(await store.readAll({ direction: 'backwards', maxCount: 100 }));
        expect(ids(newest.slice(0, 5))).toEqual(ids([...seeded].reverse()));
      });

      it('filters by event type, keeping global order', async () => {
        const seeded = await seed();

        const counted = await store.readAll({ fromPosition: seeded[0].position, types: [typeName('Counted')] });
        expect(ids(counted)).toEqual(ids(seeded.filter((e) => e.type === typeName('Counted'))));
        const openedOrClosed = await store.readAll({
          fromPosition: seeded[0].position,
          types: [typeName('Opened'), typeName('Closed')],
        });
        expect(ids(openedOrClosed)).toEqual(ids(seeded.filter((e) => e.type !== typeName('Counted'))));
        const newestFirst = await store.readAll({ direction: 'backwards', types: [typeName('Opened')], maxCount: 5 });
        expect(ids(newestFirst)).toEqual(ids(seeded.filter((e) => e.type === typeName('Opened')).reverse()));
      });
    });

    describe('subscribeToAll', () => {
      it('from the start delivers every event in global order, each once', async () => {
        const first = await store.append(stream('a'), events(2), { expectedRevision: 'no_stream' });
        const second = await store.append(stream('b'), events(1), { expectedRevision: 'no_stream' });

        const reader = subscribe();
        const received = await reader.take(3, (e) => e.streamId.endsWith(`-${run}`));

        expect(ids(received)).toEqual([...ids(first.events), ...ids(second.events)]);
        expectPositionsIncreasing(reader.seen.map((e) => e.position));
      });

      it('after a position starts with the event that follows it', async () => {
        const result = await store.append(stream('a'), events(3), { expectedRevision: 'no_stream' });

        const reader = subscribe(result.events[0].position);
        const received = await reader.take(2, (e) => e.streamId.endsWith(`-${run}`));

        expect(ids(received)).toEqual(ids(result.events.slice(1)));
        expect(store.comparePositions(reader.seen[0].position, result.events[0].position)).toBeGreaterThan(0);
      });

      it('catches up, then goes live: events appended meanwhile and later arrive in order, none twice', async () => {
        const start = await store.append(stream('seed'), events(1), { expectedRevision: 'no_stream' });
        const before = await store.append(stream('a'), events(3), { expectedRevision: 'no_stream' });

        const reader = subscribe(start.position);
        const mine = (e: RecordedEvent) => e.streamId.endsWith(`-${run}`);
        // Appends race with the catch-up read...
        const during = (async () => {
          const results: AppendResult[] = [];
          for (let i = 0; i < 10; i += 1) results.push(await store.append(stream('b'), events(1), { expectedRevision: 'any' }));
          return results;
        })();
        const caughtUp = await reader.take(3, mine);
        const duringResults = await during;
        // ...and these come once the subscription is certainly live, some of them concurrently.
        const after = [await store.append(stream('c'), events(2), { expectedRevision: 'any' })];
        after.push(
          ...(await Promise.all([1, 2, 3].map((n) => store.append(stream(`d${n}`), events(1), { expectedRevision: 'any' })))),
        );
        const expectedIds = [...before.events, ...duringResults.flatMap((r) => r.events), ...after.flatMap((r) => r.events)]
          .sort((x, y) => store.comparePositions(x.position, y.position))
          .map((e) => e.eventId);

        const rest = await reader.take(expectedIds.length - caughtUp.length, mine);

        expect(ids([...caughtUp, ...rest])).toEqual(expectedIds);
        expectPositionsIncreasing(reader.seen.map((e) => e.position));
        expect(await reader.nothingMoreWithin(300, mine)).toBe(true);
      });

      it('ends the iteration on close, also while a next() is waiting for live events', async () => {
        const result = await store.append(stream('a'), events(1), { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ afterPosition: result.position });
        subscriptions.push(subscription);
        const iterator = subscription[Symbol.asyncIterator]();
        const waiting = iterator.next();
        await new Promise((resolve) => setTimeout(resolve, 50));

        const closedAt = Date.now();
        await subscription.close();

        await expect(waiting).resolves.toMatchObject({ done: true });
        expect(Date.now() - closedAt).toBeLessThan(1000);
        await expect(iterator.next()).resolves.toMatchObject({ done: true });
      });

      it('ends a for-await loop on close', async () => {
        const result = await store.append(stream('a'), events(1), { expectedRevision: 'no_stream' });
        const subscription = store.subscribeToAll({ afterPosition: result.position });
        subscriptions.push(subscription);
        const delivered: RecordedEvent[] = [];
        const loop = (async () => {
          for await (const e of subscription) delivered.push(e);
        })();
        await store.append(stream('a'), events(1), { expectedRevision: 0 });
        await waitFor(() => ours(delivered).length === 1);

        await subscription.close();

        await expect(withTimeout(loop, 1000)).resolves.toBeUndefined();
      });
    });

    describe('concurrent appends', () => {
      it('to one stream expecting the same revision: exactly one wins, the others see the new revision', async () => {
        await store.append(stream('counter'), events(1), { expectedRevision: 'no_stream' });

        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.append(stream('counter'), events(1), { expectedRevision: 0 })),
        );

        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const lost of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
          expect(lost.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect(lost.reason).toMatchObject({ expected: 0, actual: 1 });
        }
        expect(await store.readStream(stream('counter'))).toHaveLength(2);
      });

      it('creating one stream with no_stream: exactly one wins', async () => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 5 }, () => store.append(stream('counter'), events(1), { expectedRevision: 'no_stream' })),
        );

        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream('counter'))).toHaveLength(1);
      });

      it('to 50 distinct streams all land, each at its own position', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, n) => store.append(stream(`s${n}`), events(2), { expectedRevision: 'no_stream' })),
        );

        const positions = results.flatMap((r) => r.events.map((e) => e.position));
        const sorted = [...positions].sort((x, y) => store.comparePositions(x, y));
        expectPositionsIncreasing(sorted);
        for (let n = 0; n < 50; n += 1) {
          expect(ids(await store.readStream(stream(`s${n}`)))).toEqual(ids(results[n].events));
        }
      });
    });
  });
}

/** Pulls from a subscription with time limits, remembering everything it delivered. */
class SubscriptionReader {
  readonly seen: RecordedEvent[] = [];
  private readonly iterator: AsyncIterator<RecordedEvent>;
  private pending?: Promise<IteratorResult<RecordedEvent>>;

  constructor(subscription: Subscription) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  /** The next `count` events matching the filter; fails after timeoutMs. */
  async take(count: number, matches: (e: RecordedEvent) => boolean, timeoutMs = 15_000): Promise<RecordedEvent[]> {
    const taken: RecordedEvent[] = [];
    const deadline = Date.now() + timeoutMs;
    while (taken.length < count) {
      const next = await this.nextBefore(deadline);
      if (next === 'timeout') throw new Error(`timed out with ${taken.length} of ${count} events`);
      if (next.done) throw new Error(`subscription ended with ${taken.length} of ${count} events`);
      if (matches(next.value)) taken.push(next.value);
    }
    return taken;
  }

  /** True when no matching event arrives within the time (a duplicate would). */
  async nothingMoreWithin(ms: number, matches: (e: RecordedEvent) => boolean): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      const next = await this.nextBefore(deadline);
      if (next === 'timeout' || next.done) return true;
      if (matches(next.value)) return false;
    }
  }

  private async nextBefore(deadline: number): Promise<IteratorResult<RecordedEvent> | 'timeout'> {
    // A next() that outlived a timeout is reused, so no event is lost between calls.
    this.pending ??= this.iterator.next();
    const outcome = await withTimeout(this.pending, Math.max(0, deadline - Date.now())).catch((error: unknown) => {
      if (error instanceof TimeoutError) return 'timeout' as const;
      throw error;
    });
    if (outcome !== 'timeout') {
      this.pending = undefined;
      if (!outcome.done) this.seen.push(outcome.value);
    }
    return outcome;
  }
}

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
