import { parseStreamId } from '@agreements/domain';
import type { StoredEvent } from '../folding/stored-event';
import { type DerivedRows, derivedRowsOf } from './derived-rows';
import { agreementIdsNamedBy, dedupe } from './event-rows';
import { foldFromScratch } from './fold-streams';
import type { StreamEntry } from './stream-cache';

/** What a chunk of streams contributes to a generation: its rows, and the streams that turned out not to be ours. */
export interface DerivedChunk {
  rows: DerivedRows;
  links: unknown[][];
  /** Stream ids in the copy that only look like ours (the SQLite copy filters by prefix): their events are deleted. */
  foreign: string[];
  streams: number;
  events: number;
}

/** Folds each stream of a chunk from scratch (the fold of live projection) into the rows of a fresh generation. */
export function deriveChunk(streamIds: readonly string[], byStream: ReadonlyMap<string, StoredEvent[]>): DerivedChunk {
  const entries: StreamEntry[] = [];
  const links: unknown[][] = [];
  const foreign: string[] = [];
  let events = 0;
  for (const streamId of streamIds) {
    const parsed = parseStreamId(streamId);
    if (!parsed) {
      foreign.push(streamId);
      continue;
    }
    const stored = byStream.get(streamId) ?? [];
    // Read from the log: a stream whose first event came after the head (catch-up applies it).
    if (stored.length === 0) continue;
    events += stored.length;
    entries.push(foldFromScratch({ streamId, ...parsed }, stored));
    if (parsed.kind === 'process') {
      for (const event of stored) for (const agreementId of agreementIdsNamedBy(event)) links.push([agreementId, parsed.id]);
    }
  }
  return { rows: derivedRowsOf(entries, () => false), links: dedupe(links), foreign, streams: entries.length, events };
}
