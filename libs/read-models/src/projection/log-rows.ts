import type { StoredEvent } from '../folding/stored-event';

// How a rebuild reads the SQLite event log's rows with SQLite itself (copy-events.ts, and the
// materializing threads, which load nothing of the event store).

/** The log's streams that may be the read models' (parseStreamId has the last word). */
export const LOG_STREAM_FILTER = "(stream_id LIKE 'agreement-%' OR stream_id LIKE 'process-%')";

/**
 * A row of the SQLite event log as a row of the event copy (EVENT_COLUMNS order, the values of
 * toRowValues): the data column as stored (written by JSON.stringify, copied unparsed), the
 * business time and the sources out of the metadata.
 */
export const LOG_ROW_VALUES = `stream_id, revision, CAST(position AS TEXT), event_id, type, data,
  json_extract(metadata, '$.occurredAt'), recorded_at, COALESCE(json_extract(metadata, '$.sources'), '[]'),
  COALESCE(json_extract(metadata, '$.schemaVersion'), 1)`;

/**
 * A row of the SQLite event log as the materializing threads read it: the business time, the
 * sources and the schema version come out of the metadata in one JSON array (one json_extract call: half the cost of two
 * on this column). logRowToStoredEvent turns it into the event the fold takes.
 */
export const LOG_EVENT_VALUES = `stream_id, revision, CAST(position AS TEXT), event_id, type, data, recorded_at,
  json_extract(metadata, '$.occurredAt', '$.sources', '$.schemaVersion')`;

export type LogEventValues = readonly [
  streamId: string,
  revision: number,
  position: string,
  eventId: string,
  type: string,
  data: string,
  recordedAt: string,
  timeSourcesAndVersion: string,
];

/** The same event as toStoredEvent makes of the RecordedEvent the store would read. */
export function logRowToStoredEvent(row: LogEventValues): StoredEvent {
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
