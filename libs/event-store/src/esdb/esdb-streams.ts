/**
 * The few stream operations the store is built from, on top of `@eventstore/db-client`, with its
 * errors turned into values the store can reason about.
 */
import {
  END,
  EventStoreDBClient,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type Position as ClientPosition,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, isEventStoreUnavailable } from '../event-store.port';

const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_UNAVAILABLE = 14;

export type AppendOutcome =
  | { ok: true; lastRevision: number; lastPosition: ClientPosition | undefined }
  | { ok: false; actual: number };

/** An append whose wrong expected version is an outcome, not an exception (actual -1: no stream). */
export async function tryAppend(
  client: EventStoreDBClient,
  streamId: string,
  events: EventData[],
  expected: AppendExpectedRevision,
): Promise<AppendOutcome> {
  try {
    const result = await client.appendToStream(streamId, events, { expectedRevision: expected });
    return { ok: true, lastRevision: Number(result.nextExpectedRevision), lastPosition: result.position };
  } catch (error) {
    if (error instanceof WrongExpectedVersionError) {
      return { ok: false, actual: error.actualVersion === NO_STREAM ? -1 : Number(error.actualVersion) };
    }
    // The client passes an append's gRPC UNAVAILABLE / DEADLINE_EXCEEDED through unconverted (reads
    // get its UnavailableError): say "unreachable" the same way, so callers answer 503, not 500.
    const code = (error as { code?: unknown } | null)?.code;
    if (!isEventStoreUnavailable(error) && (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED)) {
      throw new EventStoreUnavailableError(`append to ${streamId}: ${(error as Error).message}`, error);
    }
    throw error;
  }
}

/** The exact-revision form of an expectation: -1 is "no stream". */
export function exactly(revision: number): AppendExpectedRevision {
  return revision < 0 ? NO_STREAM : BigInt(revision);
}

export interface StreamReadOptions {
  direction?: 'forwards' | 'backwards';
  fromRevision?: number;
  maxCount?: number;
}

/** [] when the stream does not exist. */
export async function readStreamEvents(
  client: EventStoreDBClient,
  streamId: string,
  options: StreamReadOptions = {},
): Promise<ClientRecordedEvent[]> {
  const direction = options.direction ?? 'forwards';
  const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
  if (maxCount <= 0) return [];
  const events: ClientRecordedEvent[] = [];
  try {
    const read = client.readStream(streamId, {
      direction,
      fromRevision:
        options.fromRevision === undefined ? (direction === 'forwards' ? START : END) : BigInt(options.fromRevision),
      maxCount,
    });
    for await (const resolved of read) {
      if (resolved.event) events.push(resolved.event);
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
}

/** The last event of a stream, or undefined when it does not exist. */
export async function lastEventOf(
  client: EventStoreDBClient,
  streamId: string,
): Promise<ClientRecordedEvent | undefined> {
  const [last] = await readStreamEvents(client, streamId, { direction: 'backwards', maxCount: 1 });
  return last;
}

/** A bookkeeping event: JSON data, no metadata, a fresh id (never meant to be deduplicated by the server). */
export function bookkeepingEvent(type: string, data: Record<string, unknown>): EventData {
  return jsonEvent({ type, data });
}
