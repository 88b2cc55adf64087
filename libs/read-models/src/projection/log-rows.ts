import type { FastLogReaderOptions, RawStreamEvent } from '@agreements/event-store';
import type { StoredEvent } from '../folding/stored-event';

// How a rebuild takes the rows of the event store's fast log (copy-events.ts, and the
// materializing threads).

/** The log's streams that may be the read models' (parseStreamId has the last word). */
export const READ_MODEL_STREAMS: FastLogReaderOptions = { streamPrefixes: ['agreement-', 'process-'] };

/** The same event as toStoredEvent makes of the RecordedEvent the store would read. */
export function rawStreamEventToStoredEvent(row: RawStreamEvent): StoredEvent {
  const [occurredAt, sources, schemaVersion] = JSON.parse(row[7]) as [string, StoredEvent['sources'] | null, number | null];
  return {
    eventId: row[3],
    type: row[4],
    data: JSON.parse(row[5]),
    occurredAt,
    recordedAt: row[6],
    revision: row[1],
    position: row[2],
    sources: sources ?? [],
    schemaVersion: schemaVersion ?? 1,
  };
}
