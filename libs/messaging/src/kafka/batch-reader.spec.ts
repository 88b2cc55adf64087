import type { RecordedEvent } from '@agreements/event-store';
import { BatchReader } from './batch-reader';

/** An iterator over events pushed by the test, waiting (like a live subscription) when it has none. */
function liveLog() {
  const buffered: RecordedEvent[] = [];
  let waiting: ((result: IteratorResult<RecordedEvent>) => void) | undefined;
  let position = 0;
  return {
    commit(count: number) {
      for (let i = 0; i < count; i += 1) {
        position += 1;
        const metadata = { actor: 'a', commandId: `c-${position}`, correlationId: 'c', causationId: 'c', occurredAt: '2026-11', sources: [], schemaVersion: 1 };
        const event: RecordedEvent = { eventId: `e-${position}`, type: 'T', streamId: 's', revision: position - 1, position: String(position), data: {}, metadata, recordedAt: '2026-11-29T00:00:00.000Z' };
        if (waiting) {
          const wake = waiting;
          waiting = undefined;
          wake({ done: false, value: event });
        } else buffered.push(event);
      }
    },
    iterator: {
      next: () =>
        buffered.length > 0
          ? Promise.resolve({ done: false, value: buffered.shift()! } as IteratorResult<RecordedEvent>)
          : new Promise<IteratorResult<RecordedEvent>>((resolve) => (waiting = resolve)),
    } as AsyncIterator<RecordedEvent>,
  };
}

const toMessages = (events: RecordedEvent[]) => events.map((e) => ({ key: e.streamId, value: '{}', headers: {} }));
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('BatchReader', () => {
  it('cuts a batch at what is committed already when nothing is in flight', async () => {
    const log = liveLog();
    const reader = new BatchReader(log.iterator, 100, 1 << 20, toMessages);
    log.commit(3);
    const batch = reader.next();
    await turn();
    await turn();
    log.commit(2);
    expect((await batch)!.events.map((e) => e.position)).toEqual(['1', '2', '3']);
    expect((await reader.next())!.events.map((e) => e.position)).toEqual(['4', '5']);
  });

  it('keeps taking events committed while the batch before is in flight, and is cut once it was sent', async () => {
    const log = liveLog();
    const reader = new BatchReader(log.iterator, 100, 1 << 20, toMessages);
    let sent!: () => void;
    const inFlight = new Promise<void>((resolve) => (sent = resolve));
    let cut = false;
    log.commit(1);
    const batch = reader.next(inFlight).then((b) => ((cut = true), b));
    for (let i = 0; i < 3; i += 1) {
      await turn();
      await turn();
      log.commit(2);
    }
    await turn();
    expect(cut).toBe(false);
    sent();
    expect((await batch)!.events.map((e) => e.position)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  it('is cut at batchSize even while the batch before is in flight, and when that send failed', async () => {
    const log = liveLog();
    const reader = new BatchReader(log.iterator, 4, 1 << 20, toMessages);
    log.commit(6);
    const never = new Promise<void>(() => undefined);
    expect((await reader.next(never))!.events).toHaveLength(4);
    const failed = Promise.reject(new Error('broker away'));
    failed.catch(() => undefined);
    expect((await reader.next(failed))!.events.map((e) => e.position)).toEqual(['5', '6']);
  });
});
