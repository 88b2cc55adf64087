import type { EventStore } from '@agreements/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { applyBatch, applyBatchWithin, type PositionComparator } from './apply-batch';
import { generationTables } from '../store/schema';
import { copyEventLog, type CopyOptions, type CopyResult, exclusiveRunner, readPage } from './copy-events';
import { materializeGeneration, type MaterializeOptions, type MaterializeResult } from './materialize';
import { StreamCache } from './stream-cache';

export interface RebuildProgress {
  /**
   * loading: copying the events; indexing; materializing: folding each stream from the copy and
   * writing its views; catching-up: what was appended meanwhile; switching.
   */
  phase: 'loading' | 'indexing' | 'materializing' | 'catching-up' | 'switching';
  /** The generation being built. */
  generation: number;
  /** Events copied so far (loading), then folded (materializing), then in all. */
  events: number;
  /** How many events the phase has to go through, when known. */
  eventsTotal: number | undefined;
  /** Streams whose views are written (materializing and after). */
  streams: number;
  /** The last position applied, when the phase goes in global order. */
  position: string | undefined;
  /** The store's last position when the rebuild started. */
  headAtStart: string | undefined;
  elapsedMs: number;
  /** Events of the log per second since the start (the whole rebuild's pace, not the phase's). */
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
  /** How the events were copied: inside SQLite (log and read models both SQLite files), or read through the event store. */
  copy: CopyResult['method'];
}

export interface RebuildOptions {
  /** Events per transaction while copying. Default 20,000. */
  batchSize?: number;
  /** Streams per transaction while materializing. Default 500. */
  chunkStreams?: number;
  /** Threads that fold streams while materializing (SQLite). Default: one per core, at most 4; 0: this thread. */
  workers?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** Keep the replaced generation's tables (default: drop them after the switch). */
  keepPreviousGeneration?: boolean;
  /** false: read through the event store port even when the store has a fast log (tests compare both). */
  attach?: boolean;
}

/**
 * Rebuilds every read model from position 0 into a new generation of tables while the active one
 * keeps serving (and a live projector keeps feeding it), then switches over atomically: one
 * transaction repoints rm_state, and only once the new generation has caught up with the old
 * one, so no reader ever sees the read models go back in time. The live projector notices the
 * switch at its next batch and follows the new generation from its checkpoint.
 *
 * 1. loading: the event copy, up to the head at the start (copyEventLog); 2. indexing;
 * 3. materializing: each stream folded once from the copy, from scratch, with the fold and the
 * row writers of live projection (materializeGeneration); 4. catching up: what was appended
 * meanwhile, by applyBatch itself; 5. the switch. A rebuild gives exactly the answers live
 * projection gave, and its memory holds a chunk of streams, whatever the size of the log.
 */
export async function rebuildReadModels(eventStore: EventStore, store: ReadModelStore, options: RebuildOptions = {}): Promise<RebuildSummary> {
  const started = Date.now();
  const batchSize = options.batchSize ?? 20_000;
  const compare: PositionComparator = (a, b) => eventStore.comparePositions(a, b);
  const headAtStart = await eventStore.headPosition();
  const { generation, droppedLeftovers } = await store.createBuildingGeneration();
  let events = 0;
  let position: string | undefined;
  const report = (phase: RebuildProgress['phase'], detail: { events?: number; eventsTotal?: number; streams?: number; position?: string } = {}) => {
    if (!options.onProgress) return;
    const elapsedMs = Date.now() - started;
    options.onProgress({
      phase,
      generation,
      events: detail.events ?? events,
      eventsTotal: detail.eventsTotal,
      streams: detail.streams ?? 0,
      position: detail.position,
      headAtStart,
      elapsedMs,
      eventsPerSecond: rate(detail.events ?? events, elapsedMs),
    });
  };

  try {
    const log = options.attach === false ? undefined : eventStore.fastLog;
    const copyOptions: CopyOptions = {
      batchSize,
      onProgress: (p) => report('loading', { events: p.events, eventsTotal: p.total, position: p.position }),
    };
    let streams = 0;
    const materializeOptions: MaterializeOptions = {
      chunkStreams: options.chunkStreams,
      workers: options.workers,
      onProgress: (p) => {
        streams = p.streams;
        report('materializing', { events: p.events, eventsTotal: events || undefined, streams });
      },
    };
    let copied: CopyResult;
    let materialized: MaterializeResult;
    if (log !== undefined && headAtStart !== undefined && (options.workers ?? 1) > 0) {
      // A fast log: threads derive the views from it (by stream) while this
      // thread copies the events and indexes the copy. Into SQLite, the writes of both take turns.
      const exclusive = store.flavor === 'sqlite' ? exclusiveRunner() : undefined;
      const copying = copyEventLog(eventStore, store, generation, headAtStart, log, { ...copyOptions, exclusive }).then(async (result) => {
        events = result.events;
        report('indexing', { position: result.checkpoint });
        await (exclusive ?? ((work) => work()))(() => store.createIndexes(generation));
        return result;
      });
      const materializing = materializeGeneration(store, generation, { ...materializeOptions, exclusive, source: { kind: 'log', log, head: Number(headAtStart) } });
      const [copiedOutcome, materializedOutcome] = await Promise.allSettled([copying, materializing]);
      if (copiedOutcome.status === 'rejected') throw copiedOutcome.reason;
      if (materializedOutcome.status === 'rejected') throw materializedOutcome.reason;
      copied = copiedOutcome.value;
      materialized = materializedOutcome.value;
    } else {
      copied = await copyEventLog(eventStore, store, generation, headAtStart, undefined, copyOptions);
      events = copied.events;
      report('indexing', { position: copied.checkpoint });
      await store.createIndexes(generation);
      materialized = await materializeGeneration(store, generation, materializeOptions);
    }
    events = copied.events;
    position = copied.checkpoint;
    streams = materialized.streams;
    // Streams the copy's filter let through that are not the read models' business.
    if (materialized.foreign.length > 0) {
      await store.writeTransaction((db) => store.sql.deleteIn(db, generationTables(generation).events, 'stream_id', materialized.foreign));
    }
    // What arrived meanwhile, views and all; then the rest, under the lock, and the switch. The
    // cache starts empty, so a stream these batches touch is read from the copy.
    const cache = new StreamCache(generation, position);
    for (;;) {
      const page = await readPage(eventStore, position, batchSize, compare);
      if (page.length === 0) break;
      const outcome = await applyBatch(store, { generation, mode: 'rebuild' }, page, cache, compare);
      if (outcome.kind !== 'applied') throw new Error('unexpected outcome of a rebuild batch');
      events += outcome.applied;
      position = page[page.length - 1].position;
      report('catching-up', { streams, position });
    }
    report('switching', { streams, position });
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
      copy: copied.method,
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

function rate(events: number, ms: number): number {
  return ms <= 0 ? 0 : Math.round((events * 1000) / ms);
}
