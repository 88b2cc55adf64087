import type { EventStoreDBClient, RecordedEvent as ClientRecordedEvent } from '@eventstore/db-client';
import type { AppendResult, EventToAppend } from '../event-store.port';
import { formatPosition, positionFromClient } from './esdb-position';
import { readStreamEvents } from './esdb-streams';

/** EventStoreDB answers ids in its canonical (lower-case) form. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The result of an append, from the events as stored (EventStoreDB answers an append with the last position only). */
export async function readBack(
  client: EventStoreDBClient,
  streamId: string,
  events: EventToAppend[],
  firstRevision: number,
): Promise<AppendResult> {
  const stored = await readStreamEvents(client, streamId, { fromRevision: firstRevision, maxCount: events.length });
  const appended = events.map((event, index) => {
    const record: ClientRecordedEvent | undefined = stored[index];
    const position = positionFromClient(record?.position);
    if (!record || !sameId(record.id, event.eventId) || !position) {
      throw new Error(`${streamId}@${firstRevision + index} is not the event ${event.eventId} that was just appended`);
    }
    return {
      eventId: event.eventId,
      type: event.type,
      revision: Number(record.revision),
      position: formatPosition(position),
    };
  });
  const last = appended[appended.length - 1];
  return { streamId, revision: last.revision, position: last.position, events: appended };
}
