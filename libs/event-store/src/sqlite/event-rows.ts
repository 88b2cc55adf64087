import type { CommandRecord, Position, RecordedEvent } from '../event-store.port';

// The rows of the log's tables as SQLite returns them, and how they become the port's types.

export interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

export interface CommandRow {
  command_id: string;
  request_hash: string;
  result: string;
}

export const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, recorded_at';

/** LIMIT -1 is SQLite for "no limit". */
const NO_LIMIT = -1;
const POSITION_PATTERN = /^\d+$/;

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: row.revision,
    position: String(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    recordedAt: row.recorded_at,
  };
}

export function toCommandRecord(row: CommandRow): CommandRecord {
  return { commandId: row.command_id, requestHash: row.request_hash, result: JSON.parse(row.result) };
}

export function toLimit(maxCount: number | undefined): number {
  if (maxCount === undefined) return NO_LIMIT;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw new Error(`invalid maxCount ${maxCount}`);
  return maxCount;
}

export function toRevision(revision: number | undefined, fallback: number): number {
  if (revision === undefined) return fallback;
  if (!Number.isSafeInteger(revision) || revision < 0) throw new Error(`invalid fromRevision ${revision}`);
  return revision;
}

/** A non-negative decimal integer; "0" is before every event. Returned in canonical form ("007" -> "7"). */
export function parseSqlitePosition(text: string): Position {
  if (typeof text !== 'string' || !POSITION_PATTERN.test(text)) {
    throw new Error(`invalid position ${JSON.stringify(text)}: expected a non-negative integer`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`invalid position ${JSON.stringify(text)}: out of range`);
  return String(value);
}
