import type { EventStoreDBClient } from '@eventstore/db-client';
import { DuplicateEventIdError, type EventToAppend } from '../event-store.port';
import { bookkeepingEvent, exactly, lastEventOf, tryAppend } from './esdb-streams';

export const EVENT_ID_STREAM_PREFIX = 'eventid-';

export const EventIdTypes = {
  eventIdReserved: '$EventIdReserved',
  eventIdReleased: '$EventIdReleased',
} as const;

/**
 * The registry of event ids of the EventStoreDB store (the protocol is in esdb-command-log.ts):
 * `eventid-<id>` holds `$EventIdReserved` {token, streamId} while an id is taken, and
 * `$EventIdReleased` once a write that failed for sure gave it back.
 */
export class EsdbEventIds {
  constructor(private readonly client: EventStoreDBClient) {}

  /** Reserves every id for the token, or none: DuplicateEventIdError for the first id held by another. */
  async reserve(events: EventToAppend[], token: string, streamId: string): Promise<void> {
    const outcomes = await Promise.allSettled(events.map((event) => this.reserveOne(event.eventId, token, streamId)));
    const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (!rejected) return;
    if (rejected.reason instanceof DuplicateEventIdError) await this.release(events, token);
    throw rejected.reason;
  }

  private async reserveOne(eventId: string, token: string, streamId: string): Promise<void> {
    const stream = eventIdStream(eventId);
    const reservation = bookkeepingEvent(EventIdTypes.eventIdReserved, { token, streamId });
    // Most ids are new: try that first, and read only when the stream exists.
    let expected = exactly(-1);
    for (;;) {
      const written = await tryAppend(this.client, stream, [reservation], expected);
      if (written.ok) return;
      const last = await lastEventOf(this.client, stream);
      if (last?.type === EventIdTypes.eventIdReserved) {
        if ((last.data as { token: string }).token === token) return;
        throw new DuplicateEventIdError(eventId);
      }
      expected = exactly(last ? Number(last.revision) : -1);
    }
  }

  /** Best effort: what is left reserved stays refused, which is the safe side. */
  async release(events: EventToAppend[], token: string): Promise<void> {
    await Promise.allSettled(
      events.map(async (event) => {
        const stream = eventIdStream(event.eventId);
        const last = await lastEventOf(this.client, stream);
        if (last?.type !== EventIdTypes.eventIdReserved || (last.data as { token: string }).token !== token) return;
        await tryAppend(
          this.client,
          stream,
          [bookkeepingEvent(EventIdTypes.eventIdReleased, { token })],
          BigInt(last.revision),
        );
      }),
    );
  }
}

export function eventIdStream(eventId: string): string {
  return `${EVENT_ID_STREAM_PREFIX}${eventId.toLowerCase()}`;
}
