import { randomUUID } from 'node:crypto';
import { type RecordedEvent, SqliteEventStore, type Subscription } from '@agreements/event-store';
import { BatchReader } from './batch-reader';

const metadataOf = (n: number) => ({ actor: 'a', commandId: `c-${n}`, correlationId: 'c', causationId: 'c', occurredAt: '2026-11', sources: [], schemaVersion: 1 });

/** A subscription over events pushed by the test, waiting (like a live one) when it has none; without takeReady. */
function liveLog() {
  const buffered: RecordedEvent[] = [];
  let waiting: ((result: IteratorResult<RecordedEvent>) => void) | undefined;
  let position = 0;
  const iterator: AsyncIterator<RecordedEvent> = {
    next: () =>
      buffered.length > 0
        ? Promise.resolve({ done: false, value: buffered.shift()! })
        : new Promise<IteratorResult<RecordedEvent>>((resolve) => (waiting = resolve)),
  };
  return {
    commit(count: number) {
      for (let i = 0; i < count; i += 1) {
        position += 1;
        const event: RecordedEvent = { eventId: `e-${position}`, type: 'T', streamId: 's', revision: position - 1, position: String(position), data: {}, metadata: metadataOf(position), recordedAt: '2026-11-29T00:00:00.000Z' };
        if (waiting) {
          const wake = waiting;
          waiting = undefined;
          wake({ done: false, value: event });
        } else buffered.push(event);
      }
    },
    subscription: { close: async () => undefined, [Symbol.asyncIterator]: () => iterator } as Subscription,
  };
}

const toMessages = (events: RecordedEvent[]) => events.map((e) => ({ key: e.streamId, value: '{"n":1}', headers: {} }));
const turn = () => new Promise((resolve) => setImmediate(resolve));
const positions = (batch: { events: RecordedEvent[] } | undefined) => batch!.events.map((e) => e.position);

describe('BatchReader', () => {
  it('cuts a batch at what is committed already when nothing is in flight', async () => {
    const log = liveLog();
    const reader = new BatchReader(log.subscription, 100, 1 << 20, toMessages);
    log.commit(3);
    const batch = reader.next();
    await turn();
    await turn();
    log.commit(2);
    expect(positions(await batch)).toEqual(['1', '2', '3']);
    expect(positions(await reader.next())).toEqual(['4', '5']);
  });

  it('is cut at batchSize', async () => {
    const log = liveLog();
    const reader = new BatchReader(log.subscription, 4, 1 << 20, toMessages);
    log.commit(6);
    expect(await reader.next()).toHaveProperty('events.length', 4);
    expect(positions(await reader.next())).toEqual(['5', '6']);
  });

  it('takes what a SQLite subscription has at hand in slices (takeReady), every event once and in order, then waits for commits', async () => {
    const store = await SqliteEventStore.open({ file: ':memory:', pageSize: 100 });
    try {
      for (let s = 0; s < 10; s += 1) {
        const events = Array.from({ length: 70 }, (_, i) => ({ eventId: randomUUID(), type: 'T', data: { i }, metadata: metadataOf(i) }));
        await store.append(`stream-${s}`, events, { expectedRevision: 'no_stream' });
      }
      const subscription = store.subscribeToAll();
      const reader = new BatchReader(subscription, 300, 1 << 20, toMessages);
      const batches = [await reader.next(), await reader.next(), await reader.next()];
      expect(batches.map((b) => b!.events.length)).toEqual([300, 300, 100]);
      expect(batches.flatMap(positions)).toEqual(Array.from({ length: 700 }, (_, i) => String(i + 1)));
      // Caught up: the next batch waits for a commit and has exactly it.
      const next = reader.next();
      await store.append('stream-x', [{ eventId: randomUUID(), type: 'T', data: {}, metadata: metadataOf(0) }], { expectedRevision: 'no_stream' });
      expect(positions(await next)).toEqual(['701']);
      await subscription.close();
      expect(await reader.next()).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
