// Test support (excluded from the build).
import { randomUUID } from 'node:crypto';
import type { EventDelivery } from '../checkpoints/event-delivery';
import type { RelayCheckpointStore } from '../checkpoints/relay-checkpoint-store';

/** The behaviour every checkpoint store has; the PostgreSQL one runs it in its integration test. */
export function checkpointStoreContract(open: () => Promise<RelayCheckpointStore>): void {
  it('knows no checkpoint for a relay that never saved one', async () => {
    const store = await open();
    expect(await store.load('kafka:never')).toBeUndefined();
    await store.close();
  });

  it('keeps the last position saved per relay name, across a reopen', async () => {
    const store = await open();
    await store.save('kafka:a', '10');
    await store.save('kafka:a', '25');
    await store.save('kafka:b', '3');
    await store.close();
    const reopened = await open();
    expect(await reopened.load('kafka:a')).toBe('25');
    expect(await reopened.load('kafka:b')).toBe('3');
    await reopened.close();
  });

  it('records where each event landed with the checkpoint, oldest first, keeping 64-bit offsets whole', async () => {
    const store = await open();
    const a = { eventId: randomUUID(), position: '8' };
    const b = { eventId: randomUUID(), position: '451' };
    const at = '2026-11-29T19:00:00.123Z';
    const batch: EventDelivery[] = Array.from({ length: 450 }, (_, i) => ({
      eventId: i === 7 ? a.eventId : randomUUID(),
      position: String(i + 1),
      topic: 'p.agreements.events.v1',
      partition: i % 3,
      offset: String(1000 + i),
      publishedAt: at,
    }));
    batch.push({ ...b, topic: 'p.agreements.events.v1', partition: 2, offset: '9007199254740993', publishedAt: at });
    await store.save('kafka:deliveries', '451', batch);
    // the same event sent again and recorded again (another relay name): a second delivery
    await store.save('kafka:other', '8', [{ ...a, topic: 'q.agreements.events.v1', partition: 0, offset: '0', publishedAt: at }]);
    await store.close();

    const reopened = await open();
    expect(await reopened.load('kafka:deliveries')).toBe('451');
    expect(await reopened.deliveriesOf(a)).toEqual([
      { topic: 'p.agreements.events.v1', partition: 1, offset: '1007', publishedAt: at },
      { topic: 'q.agreements.events.v1', partition: 0, offset: '0', publishedAt: at },
    ]);
    expect(await reopened.deliveriesOf(b)).toEqual([{ topic: 'p.agreements.events.v1', partition: 2, offset: '9007199254740993', publishedAt: at }]);
    // an id the record does not hold, also at a position it does
    expect(await reopened.deliveriesOf({ eventId: randomUUID(), position: '8' })).toEqual([]);
    expect(await reopened.deliveriesOf({ eventId: randomUUID(), position: '9999' })).toEqual([]);
    await reopened.close();
  });

  it('moves the checkpoint and records the deliveries together or not at all', async () => {
    const store = await open();
    await store.save('kafka:atomic', '5');
    const good = { eventId: randomUUID(), position: '6' };
    const at = '2026-11-29T19:00:00.000Z';
    const broken = [
      { ...good, topic: 't', partition: 0, offset: '6', publishedAt: at },
      { eventId: null as unknown as string, position: '7', topic: 't', partition: 0, offset: '7', publishedAt: at },
    ];
    // (toThrow would not do: better-sqlite3's errors may come from another test file's realm in a
    // shared jest worker, and toThrow then says nothing was thrown.)
    await expect(store.save('kafka:atomic', '7', broken)).rejects.toHaveProperty('message', expect.stringMatching(/event.id/));
    expect(await store.load('kafka:atomic')).toBe('5');
    expect(await store.deliveriesOf(good)).toEqual([]);
    await store.close();
  });
}
