import { availableParallelism } from 'node:os';
import type { FastLog } from '@agreements/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { generationTables } from '../store/schema';
import { readStreamEvents } from '../store/stream-events';
import { LINK_COLUMNS, writeDerivedRowSet } from './derived-rows';
import { type DerivedChunk, deriveChunk } from './derive-chunk';
import { type Exclusive, exclusiveRunner } from './copy-events';
import { READ_MODEL_STREAMS } from './log-rows';
import { MaterializeWorkers } from './materialize-workers';

export interface MaterializeProgress {
  /** Streams whose views are written. */
  streams: number;
  /** Their events. */
  events: number;
}

export interface MaterializeResult extends MaterializeProgress {
  /** Stream ids that only look like the read models' (the SQLite copy filters by prefix): the caller deletes their copied events. */
  foreign: string[];
}

/**
 * Where the streams' events are read: the generation's event copy (indexed by now), or the event
 * store's fast log itself, up to a position (the copy's checkpoint), by stream, so that the views
 * can be derived while the copy is still being written.
 */
export type MaterializeSource = { kind: 'copy' } | { kind: 'log'; log: FastLog; head: number };

export interface MaterializeOptions {
  /** Streams read, folded and written at a time. Default 500. */
  chunkStreams?: number;
  /**
   * Threads that read and fold chunks, each with its own read connection to a SQLite file (the
   * copy of SQLite read models, or the fast log). Default: one per core, at most 4; 0 folds on
   * this thread (and is the only way on PostgreSQL reading the copy).
   */
  workers?: number;
  onProgress?: (progress: MaterializeProgress) => void;
  /** Default: the copy. */
  source?: MaterializeSource;
  /** Runs each write transaction (another connection may write the file meanwhile: the copy). */
  exclusive?: Exclusive;
}

/**
 * Writes the views of every stream of a building generation: each stream read (from the copy or
 * the log, see MaterializeSource) and folded once, from scratch, with the fold live projection
 * uses, and written with the same writers. Streams go by in key order, a chunk at a time. From a
 * SQLite file (the log, or the copy of SQLite read models), worker threads read and fold chunks
 * (each with its own connection: WAL lets them read while this thread writes) and this thread
 * writes what they send back; from a PostgreSQL copy this thread reads and folds a chunk while
 * the previous one is written. Memory holds a few chunks' events
 * and states, not the whole log's.
 *
 * The generation must be building (nobody reads it, nothing else writes it): its derived tables
 * are empty, so rows are inserted, never replaced.
 */
export async function materializeGeneration(store: ReadModelStore, generation: number, options: MaterializeOptions = {}): Promise<MaterializeResult> {
  const tables = generationTables(generation);
  const chunk = options.chunkStreams ?? 500;
  const source = options.source ?? { kind: 'copy' };
  const exclusive = options.exclusive ?? exclusiveRunner();
  // Threads read SQLite files: the copy of SQLite read models, or the fast log.
  const threads = store.flavor === 'sqlite' || source.kind === 'log' ? (options.workers ?? Math.min(4, availableParallelism())) : 0;
  if (source.kind === 'log' && threads === 0) throw new Error('reading streams from the log needs materializing threads');
  const done: MaterializeResult = { streams: 0, events: 0, foreign: [] };

  const lister = source.kind === 'log' ? logStreamLister(source.log, chunk) : copyStreamLister(store, tables.events, chunk);
  // Chunks are written one at a time, in the order they are derived.
  let writing: Promise<void> = Promise.resolve();
  const write = (derived: DerivedChunk): Promise<void> => {
    writing = writing.then(() =>
      exclusive(() =>
        store.writeTransaction(async (db) => {
          if (store.flavor === 'postgres') await store.sql.run(db, 'SET LOCAL synchronous_commit = off');
          await writeDerivedRowSet(store, db, tables, derived.rows);
          await store.sql.insertBulk(db, tables.links, LINK_COLUMNS, derived.links, 'ON CONFLICT (agreement_id, process_id) DO NOTHING');
        }),
      ).then(() => {
        done.streams += derived.streams;
        done.events += derived.events;
        for (const streamId of derived.foreign) done.foreign.push(streamId);
        options.onProgress?.({ streams: done.streams, events: done.events });
      }),
    );
    return writing;
  };

  try {
    if (threads === 0) {
      for (;;) {
        const streamIds = await lister.next();
        if (streamIds.length === 0) break;
        const derived = deriveChunk(streamIds, await readStreamEvents(store.sql, store.reader, tables, streamIds));
        // The previous chunk's write runs meanwhile (PostgreSQL); one in flight at most.
        await writing;
        write(derived).catch(() => undefined);
      }
      await writing;
      return done;
    }

    const workers = MaterializeWorkers.start(
      threads,
      source.kind === 'log'
        ? { source: { kind: 'log', log: source.log.handle, head: source.head } }
        : { source: { kind: 'copy', file: store.location, table: tables.events } },
    );
    try {
      // Each thread has a few chunks queued, so none waits while results are written (or while
      // the copy's index is built, which holds the file's write lock for seconds).
      const inFlight = new Set<Promise<void>>();
      let failed: unknown;
      for (;;) {
        if (failed) throw failed;
        if (inFlight.size >= threads * 4) {
          await Promise.race(inFlight);
          continue;
        }
        const streamIds = await lister.next();
        if (streamIds.length === 0) break;
        const task: Promise<void> = workers
          .derive(streamIds)
          .then(write)
          .catch((error) => {
            failed ??= error;
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      await Promise.all(inFlight);
      if (failed) throw failed;
      await writing;
      return done;
    } finally {
      await workers.close();
    }
  } finally {
    lister.close();
  }
}

interface StreamLister {
  /** The next chunk of stream ids, in key order; empty at the end. */
  next(): Promise<string[]>;
  close(): void;
}

function copyStreamLister(store: ReadModelStore, table: string, chunk: number): StreamLister {
  let after = '';
  return {
    async next() {
      const ids = (
        await store.sql.all<{ stream_id: string }>(store.reader, `SELECT DISTINCT stream_id FROM ${table} WHERE stream_id > ? ORDER BY stream_id LIMIT ${chunk}`, [
          after,
        ])
      ).map((row) => row.stream_id);
      if (ids.length > 0) after = ids[ids.length - 1];
      return ids;
    },
    close() {},
  };
}

/** Stream ids from the fast log, in key order. */
function logStreamLister(log: FastLog, chunk: number): StreamLister {
  const reader = log.openReader(READ_MODEL_STREAMS);
  let after = '';
  return {
    async next() {
      const ids = reader.streamIdsAfter(after, chunk);
      if (ids.length > 0) after = ids[ids.length - 1];
      return ids;
    },
    close() {
      void reader.close();
    },
  };
}
