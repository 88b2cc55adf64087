/**
 * How the events of the port are written to and read from EventStoreDB: the stream is the port's
 * streamId, the event type the domain event name, the data JSON, and the metadata JSON carries
 * EventStoreDB's own `$correlationId` / `$causationId` (which its projections and UI understand)
 * next to our keys.
 */
import { jsonEvent, type EventData, type RecordedEvent as ClientRecordedEvent } from '@eventstore/db-client';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../event-store.port';
import { formatPosition, positionFromClient } from './esdb-position';

/** The metadata of an event as stored in EventStoreDB. */
export interface StoredMetadata {
  $correlationId: string;
  $causationId: string;
  actor: string;
  commandId: string;
  occurredAt: string;
  sources: EventMetadata['sources'];
  schemaVersion: number;
}

export function toStoredMetadata(metadata: EventMetadata): StoredMetadata {
  return {
    $correlationId: metadata.correlationId,
    $causationId: metadata.causationId,
    actor: metadata.actor,
    commandId: metadata.commandId,
    occurredAt: metadata.occurredAt,
    sources: metadata.sources,
    schemaVersion: metadata.schemaVersion,
  };
}

export function fromStoredMetadata(stored: StoredMetadata): EventMetadata {
  return {
    actor: stored.actor,
    commandId: stored.commandId,
    correlationId: stored.$correlationId,
    causationId: stored.$causationId,
    occurredAt: stored.occurredAt,
    sources: stored.sources,
    schemaVersion: stored.schemaVersion,
  };
}

export function toEventData(event: EventToAppend): EventData {
  return jsonEvent({
    id: event.eventId,
    type: event.type,
    data: event.data,
    metadata: toStoredMetadata(event.metadata) as unknown as Record<string, unknown>,
  });
}

/** A `$`-type (EventStoreDB's and our own bookkeeping) or an event of a `$`-stream. */
export function isSystemEvent(event: { type: string; streamId: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

export function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  const position = positionFromClient(event.position);
  if (!position) {
    throw new Error(
      `EventStoreDB sent no position for event ${event.id} of ${event.streamId}: stream reads carry one from EventStoreDB 22.6 on`,
    );
  }
  if (!event.isJson || typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
    throw new Error(`event ${event.id} of ${event.streamId} is not a JSON object`);
  }
  if (typeof event.metadata !== 'object' || event.metadata === null || event.metadata instanceof Uint8Array) {
    throw new Error(`event ${event.id} of ${event.streamId} has no JSON metadata`);
  }
  return {
    eventId: event.id,
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: formatPosition(position),
    data: event.data as Record<string, unknown>,
    metadata: fromStoredMetadata(event.metadata as unknown as StoredMetadata),
    recordedAt: event.created.toISOString(),
  };
}
