import type { EventStore, RecordedEvent } from '@agreements/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import {
  applyBatch,
  applyBatchWithin,
  foldLoadBatch,
  materializeStreams,
  type PositionComparator,
  writeLoadBatch,
  yieldToEventLoop,
} from './apply-batch';
import type { EventRowValues } from '../store/stream-events';
import { StreamCache } from './stream-cache';

export interface RebuildProgress {
  /** loading: copying and folding events; materializing: writing each stream's views; indexing; switching. */
  phase: 'loading' | 'materializing' | 'indexing' | 'switching';
  /** The generation being built. */
  generation: number;
  /** Events applied so far. */
  events: number;
  /** The last position applied. */
  position: string | undefined;
  /** The store's last position when the rebuild started (to show a fraction). */
  headAtStart: string | undefined;
  elapsedMs: number;
  eventsPerSecond: number;
}

export interface RebuildSummary {
  /** The generation now active. */
  generation: number;
  /** The one it replaced (dropped unless keepPreviousGeneration). */
  previousGeneration: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  checkpoint: string | undefined;
  /** Generations left behind by interrupted rebuilds, dropped before this one started. */
  droppedLeftovers: number[];
}

export interface RebuildOptions {
  /** Events per transaction. Default 20,000. */
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Keep the replaced generation's tables (default: drop them after the switch). */
  keepPreviousGeneration?: boolean;
}

/** Events read from the store at a time while loading: small, so reading interleaves with writing. */
const READ_PAGE = 2_000;

/**
 * Rebuilds every read model from position 0 into a new generation of tables while the active one
 * keeps serving (and a live projector keeps feeding it), then switches over atomically: one
 * transaction repoints rm_state, and only once the new generation has caught up with the old
 * one, so no reader ever sees the read models go back in time. The live projector notices the
 * switch at its next batch and follows the new generation from its checkpoint.
 *
 * Loading folds with the same code as live projection and copies the events batch by batch, each
 * batch with its checkpoint; the views of each stream are then written once (the same writers as
 * live projection), the indexes built, and what arrived meanwhile applied by applyBatch itself:
 * a rebuild gives exactly the answers live projection gave.
 */
export async function rebuildReadModels(eventStore: EventStore, store: ReadModelStore, options: RebuildOptions = {}): Promise<RebuildSummary> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 20_000;
  const compare: PositionComparator = (a, b) => eventStore.comparePositions(a, b);
  const headAtStart = await eventStore.headPosition();
  const { generation, droppedLeftovers } = await store.createBuildingGeneration();
  // Every stream stays in memory (its folded state, not its events) until its views are written.
  const cache = new StreamCache(generation, undefined, Number.POSITIVE_INFINITY);
  let events = 0;
  let position: string | undefined;

  const progress = (phase: RebuildProgress['phase']) => {
    if (!options.onProgress) return;
    const elapsedMs = Date.now() - started;
    options.onProgress({ phase, generation, events, position, headAtStart, elapsedMs, eventsPerSecond: rate(events, elapsedMs) });
  };

  const readBatch = async (after: string | undefined): Promise<RecordedEvent[]> => {
    const batch: RecordedEvent[] = [];
    let from = after;
    while (batch.length < batchSize) {
      const page = await readPage(eventStore, from, Math.min(READ_PAGE, batchSize - batch.length), compare);
      for (const event of page) batch.push(event);
      if (page.length === 0) break;
      from = page[page.length - 1].position;
      await yieldToEventLoop();
    }
    return batch;
  };

  const load = async () => {
    const history = new Map<string, EventRowValues[]>();
    let writing: Promise<void> | undefined;
    let batch = await readBatch(position);
    while (batch.length > 0) {
      const loaded = await foldLoadBatch(batch, cache, history);
      // One batch written at a time (the checkpoints move in order), while the next is read and folded.
      if (writing) await writing;
      writing = writeLoadBatch(store, generation, loaded);
      writing.catch(() => undefined);
      events += loaded.count;
      position = loaded.last.position;
      progress('loading');
      batch = await readBatch(position);
    }
    if (writing) await writing;
  };

  const catchUp = async () => {
    for (;;) {
      const page = await readPage(eventStore, position, batchSize, compare);
      if (page.length === 0) return;
      const outcome = await applyBatch(store, { generation, mode: 'rebuild' }, page, cache, compare);
      if (outcome.kind !== 'applied') throw new Error('unexpected outcome of a rebuild batch');
      events += outcome.applied;
      position = page[page.length - 1].position;
      progress('loading');
    }
  };

  try {
    await load();
    progress('materializing');
    await materializeStreams(store, generation, cache);
    progress('indexing');
    await store.createIndexes(generation);
    // What arrived during the load, views and all; then the rest, under the lock, and the switch.
    await catchUp();
    progress('switching');
    const switched = await switchOver(eventStore, store, generation, cache, compare);
    events += switched.events;
    position = switched.position ?? position;
    const previousGeneration = switched.previousGeneration;
    store.forgetActiveGeneration();
    if (!options.keepPreviousGeneration) await store.dropGeneration(previousGeneration);
    const seconds = (Date.now() - started) / 1000;
    return {
      generation,
      previousGeneration,
      events,
      seconds,
      eventsPerSecond: rate(events, seconds * 1000),
      checkpoint: position,
      droppedLeftovers,
    };
  } catch (error) {
    // Leave nothing half-built behind; the active generation was never touched.
    await store.dropGeneration(generation).catch(() => undefined);
    throw error;
  }
}

/**
 * In one transaction that holds the write lock (so the live projector cannot move the active
 * generation meanwhile): applies whatever the active generation has and the new one has not yet
 * (little: the rebuild has just caught up), then repoints rm_state. Readers thus never see the
 * read models go back in time, and the switch cannot be outrun by a steady stream of writes.
 */
async function switchOver(
  eventStore: EventStore,
  store: ReadModelStore,
  generation: number,
  cache: StreamCache,
  compare: PositionComparator,
): Promise<{ previousGeneration: number; events: number; position: string | undefined }> {
  return store.writeTransaction(async (db) => {
    const active = await store.lockState(db);
    const target = (await store.generationInfo(active, db))?.checkpoint;
    let position = (await store.generationInfo(generation, db))?.checkpoint;
    let events = 0;
    while (target !== undefined && (position === undefined || compare(position, target) < 0)) {
      const page = (await readPage(eventStore, position, 1_000, compare)).filter((event) => compare(event.position, target) <= 0);
      if (page.length === 0) throw new Error(`the event store has nothing after ${position ?? 'the start'}, yet the read models are at ${target}`);
      const applied = await applyBatchWithin(store, db, { generation, mode: 'rebuild' }, page, cache, compare);
      // The rebuild's own cache: if this transaction fails, the rebuild fails and drops it all.
      cache.install(applied.entries, applied.outcome.checkpoint);
      events += applied.outcome.applied;
      position = applied.outcome.checkpoint;
    }
    const previousGeneration = await store.activate(db, generation);
    return { previousGeneration, events, position };
  });
}

async function readPage(eventStore: EventStore, after: string | undefined, size: number, compare: PositionComparator): Promise<RecordedEvent[]> {
  if (after === undefined) return eventStore.readAll({ maxCount: size });
  // readAll's fromPosition is inclusive: ask for one more and drop what is not after.
  const page = await eventStore.readAll({ fromPosition: after, maxCount: size + 1 });
  let start = 0;
  while (start < page.length && compare(page[start].position, after) <= 0) start += 1;
  return start === 0 ? page : page.slice(start);
}

function rate(events: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((events * 1000) / ms);
}
