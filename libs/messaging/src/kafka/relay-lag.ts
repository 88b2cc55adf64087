import type { EventStore, Position } from '@agreements/event-store';

const LAG_EVENTS_CAP = 100_000;
const INTEGER = /^\d+$/;

export interface RelayLag {
  /** Last position in the event store; null when empty. */
  headPosition: Position | null;
  /** Events stored after the checkpoint, capped at 100 000. */
  lagEvents: number;
  /** Age of the oldest event not yet published; 0 when caught up. */
  lagMs: number;
}

/** How far the store's head is ahead of the relay's checkpoint, in events and in time. */
export async function measureLag(store: EventStore, checkpoint: Position | null): Promise<RelayLag> {
  const head = (await store.headPosition()) ?? null;
  if (head === null || (checkpoint !== null && store.comparePositions(checkpoint, head) >= 0)) {
    return { headPosition: head, lagEvents: 0, lagMs: 0 };
  }
  // The first event not yet acknowledged: its age is the lag in time.
  const next = checkpoint === null ? await store.readAll({ maxCount: 1 }) : await store.readAll({ fromPosition: checkpoint, maxCount: 2 });
  const oldest = next.find((event) => checkpoint === null || store.comparePositions(event.position, checkpoint) > 0);
  const lagMs = oldest ? Math.max(0, Date.now() - Date.parse(oldest.recordedAt)) : 0;
  let lagEvents: number;
  // The embedded store's positions are consecutive integers: the difference is the count.
  if (INTEGER.test(head) && (checkpoint === null || INTEGER.test(checkpoint))) {
    lagEvents = Math.min(LAG_EVENTS_CAP, Number(head) - Number(checkpoint ?? '0'));
  } else {
    const after = await store.readAll(checkpoint === null ? { maxCount: LAG_EVENTS_CAP } : { fromPosition: checkpoint, maxCount: LAG_EVENTS_CAP + 1 });
    lagEvents = Math.min(LAG_EVENTS_CAP, after.filter((e) => checkpoint === null || store.comparePositions(e.position, checkpoint) > 0).length);
  }
  return { headPosition: head, lagEvents, lagMs };
}
