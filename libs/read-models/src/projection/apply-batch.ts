import type { RecordedEvent } from '@agreements/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { generationTables } from '../store/schema';
import type { Db } from '../store/sql';
import { readStreamEvents } from '../store/stream-events';
import { writeDerivedRows } from './derived-rows';
import { writeEventRows } from './event-rows';
import { foldStreams } from './fold-streams';
import type { StreamCache, StreamEntry } from './stream-cache';
import { groupByStream } from './stream-work';

export type PositionComparator = (a: string, b: string) => number;

export interface BatchTarget {
  generation: number;
  /**
   * live: the batch applies only while this generation is the active one (a rebuild may have
   * switched generations meanwhile). rebuild: the generation must still be building.
   */
  mode: 'live' | 'rebuild';
}

export type BatchOutcome =
  | {
      kind: 'applied';
      /** Events newer than the checkpoint (all of them count, projected or not). */
      applied: number;
      /** Events at or before the checkpoint found in the batch (applied before, by this or another projector). */
      skipped: number;
      checkpoint: string | undefined;
      lastRecordedAt: string | undefined;
    }
  | { kind: 'generation-changed'; activeGeneration: number };

export interface BatchHooks {
  /** Test support: runs after every write of the batch, before COMMIT. */
  beforeCommit?: (info: { events: number; checkpoint: string }) => Promise<void> | void;
}

/**
 * Applies a batch of events (in global order) to one generation, in one transaction with its
 * checkpoint. Events at or before the checkpoint are skipped, so a batch seen twice (a crash
 * after commit, two projectors) changes nothing. Each touched stream is folded once and each of
 * its rows written once, in multi-row statements.
 */
export async function applyBatch(
  store: ReadModelStore,
  target: BatchTarget,
  batch: readonly RecordedEvent[],
  cache: StreamCache,
  compare: PositionComparator,
  hooks: BatchHooks = {},
): Promise<BatchOutcome> {
  let installed: StreamEntry[] = [];
  const outcome = await store.writeTransaction(async (db) => {
    const active = await store.lockState(db);
    if (target.mode === 'live' && active !== target.generation) return { kind: 'generation-changed' as const, activeGeneration: active };
    const applied = await applyBatchWithin(store, db, target, batch, cache, compare, hooks);
    installed = applied.entries;
    return applied.outcome;
  });
  // Only once committed: the cache never holds a state the database does not.
  if (outcome.kind === 'applied') cache.install(installed, outcome.checkpoint);
  return outcome;
}

/**
 * The work of applyBatch inside a transaction the caller holds (with the state locked). Returns
 * the new stream states for the caller to install in the cache once it commits.
 */
export async function applyBatchWithin(
  store: ReadModelStore,
  db: Db,
  target: BatchTarget,
  batch: readonly RecordedEvent[],
  cache: StreamCache,
  compare: PositionComparator,
  hooks: BatchHooks = {},
): Promise<{ outcome: Extract<BatchOutcome, { kind: 'applied' }>; entries: StreamEntry[] }> {
  const tables = generationTables(target.generation);
  const generation = await store.generationInfo(target.generation, db);
  if (!generation) throw new Error(`read-model generation ${target.generation} does not exist (dropped by a rebuild?)`);
  if (target.mode === 'rebuild' && generation.status !== 'building') {
    throw new Error(`read-model generation ${target.generation} is ${generation.status}, not building: another rebuild took over?`);
  }
  const checkpoint = generation.checkpoint;
  // Someone else (another projector, a rebuild) moved this generation on: what this cache
  // remembers may be stale.
  if (checkpoint !== cache.checkpoint) cache.reset(checkpoint);

  const fresh = checkpoint === undefined ? batch : batch.filter((event) => compare(event.position, checkpoint) > 0);
  if (fresh.length === 0) {
    return { outcome: { kind: 'applied', applied: 0, skipped: batch.length, checkpoint, lastRecordedAt: generation.lastRecordedAt }, entries: [] };
  }

  const work = groupByStream(fresh);
  const entries = await foldStreams(work, cache, (streams) =>
    readStreamEvents(
      store.sql,
      db,
      tables,
      streams.map((stream) => stream.streamId),
    ),
  );
  await writeEventRows(store, db, tables, work, true);
  await writeDerivedRows(store, db, tables, entries, (streamId) => !cache.isKnownNew(streamId));

  const last = fresh[fresh.length - 1];
  await store.sql.run(
    db,
    `UPDATE rm_generations SET checkpoint = ?, last_recorded_at = ?, events_applied = events_applied + ?, updated_at = ?
      WHERE generation = ?`,
    [last.position, last.recordedAt, fresh.length, new Date().toISOString(), target.generation],
  );
  if (hooks.beforeCommit) await hooks.beforeCommit({ events: fresh.length, checkpoint: last.position });
  return {
    outcome: { kind: 'applied', applied: fresh.length, skipped: batch.length - fresh.length, checkpoint: last.position, lastRecordedAt: last.recordedAt },
    entries,
  };
}
