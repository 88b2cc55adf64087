import type { EventStore } from '@agreements/event-store';
import type { ReadModelStore } from '../store/read-model-store';

export interface ReadModelLag {
  /** The generation queries read. */
  generation: number;
  /** The last position applied to it; null before the first. */
  checkpoint: string | null;
  /** The last position in the event store; null when it is empty. */
  headPosition: string | null;
  /** Events in the store after the checkpoint (up to a cap: 100,000 on the embedded store, 10,000 on others, which must read them to count). */
  lagEvents: number;
  /** now - recordedAt of the last applied event while behind (of the first event when nothing was applied yet); 0 when caught up. */
  lagMs: number;
  caughtUp: boolean;
  /** recordedAt of the event at the checkpoint. */
  lastAppliedRecordedAt: string | null;
}

const INTEGER = /^\d+$/;

/**
 * How far the read models are behind the event store. Works without a projector in this process
 * (an API whose projector runs in apps/projector), as it reads both stores.
 */
export async function readModelLag(
  eventStore: EventStore,
  store: ReadModelStore,
  options: { now?: number; lagEventsCap?: number } = {},
): Promise<ReadModelLag> {
  const now = options.now ?? Date.now();
  const cap = options.lagEventsCap ?? 100_000;
  const [{ generation, checkpoint, lastRecordedAt }, head] = await Promise.all([store.activeCheckpoint(), eventStore.headPosition()]);
  const base = {
    generation,
    checkpoint: checkpoint ?? null,
    headPosition: head ?? null,
    lastAppliedRecordedAt: lastRecordedAt ?? null,
  };
  if (head === undefined || (checkpoint !== undefined && eventStore.comparePositions(checkpoint, head) >= 0)) {
    return { ...base, lagEvents: 0, lagMs: 0, caughtUp: true };
  }
  let lagEvents: number;
  // The embedded store's positions are consecutive integers: the difference is the count.
  if (INTEGER.test(head) && (checkpoint === undefined || INTEGER.test(checkpoint))) {
    lagEvents = Math.min(cap, Number(head) - Number(checkpoint ?? '0'));
  } else {
    // Other stores' positions (EventStoreDB's commit/prepare) say nothing about counts: count,
    // up to a smaller cap since it reads the events.
    const readCap = Math.min(cap, 10_000);
    const after = await eventStore.readAll(checkpoint === undefined ? { maxCount: readCap } : { fromPosition: checkpoint, maxCount: readCap + 1 });
    lagEvents = Math.min(readCap, checkpoint === undefined ? after.length : after.filter((e) => eventStore.comparePositions(e.position, checkpoint) > 0).length);
  }
  let since = lastRecordedAt;
  if (since === undefined) since = (await eventStore.readAll({ maxCount: 1 }))[0]?.recordedAt;
  const lagMs = since === undefined ? 0 : Math.max(0, now - Date.parse(since));
  return { ...base, lagEvents, lagMs, caughtUp: false };
}
