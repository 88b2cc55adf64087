import { advanceState, applyCorrections, isCorrectionEvent, loadStream, processDecider } from '@agreements/domain';
import { addEvent, buildInstants, type Instants } from '../folding/agreement-instants';
import type { StoredEvent } from '../folding/stored-event';
import type { StreamCache, StreamEntry } from './stream-cache';
import type { StreamWork } from './stream-work';

/**
 * The stored events of these streams that come before the batch's (at least those; later ones
 * are ignored), by stream id.
 */
export type StreamLoader = (streams: readonly StreamWork[]) => Promise<Map<string, StoredEvent[]>>;

/**
 * The new state of every touched stream: its new events applied to the cached state, or, when
 * that cannot be done (not cached, a correction, an event taking effect before the instants kept
 * in memory), folded again from all its events.
 */
export async function foldStreams(work: readonly StreamWork[], cache: StreamCache, load: StreamLoader): Promise<StreamEntry[]> {
  const entries = new Map<string, StreamEntry>();
  const toRefold: StreamWork[] = [];
  const toLoad: StreamWork[] = [];
  for (const stream of work) {
    const entry = cache.get(stream.streamId);
    if (entry) {
      // An event the stream already has (revision not newer) was applied before: nothing to do.
      const news = stream.events.filter((event) => event.revision > entry.revision);
      if (news.length === 0) {
        entries.set(stream.streamId, entry);
        continue;
      }
      const applied = applyIncrementally(entry, news);
      if (applied) {
        entries.set(stream.streamId, applied);
        continue;
      }
    }
    toRefold.push(stream);
    if (!cache.isKnownNew(stream.streamId)) toLoad.push(stream);
  }
  const loaded = toLoad.length > 0 ? await load(toLoad) : new Map<string, StoredEvent[]>();
  for (const stream of toRefold) {
    const first = stream.events[0].revision;
    const stored = (loaded.get(stream.streamId) ?? []).filter((event) => event.revision < first);
    entries.set(stream.streamId, foldFromScratch(stream, [...stored, ...stream.events]));
  }
  return work.map((stream) => entries.get(stream.streamId) as StreamEntry);
}

/** undefined when a correction comes, or an event takes effect before the instants kept in memory: refold then. */
function applyIncrementally(entry: StreamEntry, news: readonly StoredEvent[]): StreamEntry | undefined {
  const revision = news[news.length - 1].revision;
  if (entry.kind === 'agreement') {
    let instants: Instants | undefined = entry.instants;
    for (const event of news) {
      instants = isCorrectionEvent(event.type) ? undefined : addEvent(instants, event);
      if (!instants) return undefined;
    }
    return { ...entry, revision, instants };
  }
  const state = advanceState(processDecider, entry.state, news);
  return state && { ...entry, revision, state };
}

/** A stream's state folded from all its events (in stream order). */
export function foldFromScratch(stream: Pick<StreamWork, 'streamId' | 'kind' | 'id'>, all: readonly StoredEvent[]): StreamEntry {
  const revision = all.length > 0 ? all[all.length - 1].revision : -1;
  const base = { streamId: stream.streamId, id: stream.id, revision };
  // The instants fold the agreement at each business instant themselves, from the same effective events the loader folds.
  if (stream.kind === 'agreement') return { ...base, kind: 'agreement', instants: buildInstants(applyCorrections(all)) };
  return { ...base, kind: 'process', state: loadStream(processDecider, all).state };
}
