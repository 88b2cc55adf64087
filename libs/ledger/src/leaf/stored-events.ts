import type { RawStoredEvent, RecordedEvent } from '@agreements/event-store';
import type { StoredEvent } from './leaf';

/** A raw row of the embedded log (fastLog) as the event it stores. */
export function fromRawStoredEvent(row: RawStoredEvent): StoredEvent {
  const [position, streamId, revision, eventId, type, data, metadata, recordedAt] = row;
  return { eventId, streamId, revision, position, type, data: JSON.parse(data), metadata: JSON.parse(metadata), recordedAt };
}

export function fromRecordedEvent(event: RecordedEvent): StoredEvent {
  return event as unknown as StoredEvent;
}
