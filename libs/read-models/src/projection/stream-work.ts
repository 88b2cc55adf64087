import { parseStreamId, type StreamKind } from '@agreements/domain';
import type { RecordedEvent } from '@agreements/event-store';
import { type StoredEvent, toStoredEvent } from '../folding/stored-event';
import { type EventRowValues, toRowValues } from '../store/stream-events';

/** A batch's events of one stream, as the read models keep them and as rows of their event copy. */
export interface StreamWork {
  streamId: string;
  kind: StreamKind;
  id: string;
  events: StoredEvent[];
  /** The same events as rows of the event copy. */
  rows: EventRowValues[];
}

/** A batch (in global order) grouped by stream, each stream's events in stream order. */
export function groupByStream(events: readonly RecordedEvent[]): StreamWork[] {
  const byStream = new Map<string, StreamWork>();
  for (const recorded of events) {
    let work = byStream.get(recorded.streamId);
    if (work === undefined) {
      // Streams of other kinds (none today) are not read models' business; their events still
      // move the checkpoint.
      const parsed = parseStreamId(recorded.streamId);
      if (!parsed) continue;
      work = { streamId: recorded.streamId, kind: parsed.kind, id: parsed.id, events: [], rows: [] };
      byStream.set(recorded.streamId, work);
    }
    const event = toStoredEvent(recorded);
    work.events.push(event);
    work.rows.push(toRowValues(recorded.streamId, event));
  }
  return [...byStream.values()];
}
