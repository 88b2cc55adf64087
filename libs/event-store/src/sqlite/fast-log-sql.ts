import type { FastLogReaderOptions } from '../fast-log.port';

// The SQL the fast log's readers and copier share: the log's columns as RawLogEvent and
// RawStreamEvent, and the stream filter.

/** A row of the events table as a RawLogEvent. */
export const RAW_LOG_EVENT = `stream_id, revision, CAST(position AS TEXT), event_id, type, data,
  json_extract(metadata, '$.occurredAt'), recorded_at, COALESCE(json_extract(metadata, '$.sources'), '[]'),
  COALESCE(json_extract(metadata, '$.schemaVersion'), 1)`;

/**
 * RAW_LOG_EVENT as a JSON array, for json_group_array. json_extract marks the sources it returns
 * as JSON, which json_array would embed as an array: `'' ||` makes it plain text, a string as in
 * RawLogEvent. The schema version is cast so that it is always a JSON integer.
 */
export const RAW_LOG_EVENT_JSON = `json_array(stream_id, revision, CAST(position AS TEXT), event_id, type, data,
  json_extract(metadata, '$.occurredAt'), recorded_at, '' || COALESCE(json_extract(metadata, '$.sources'), '[]'),
  CAST(COALESCE(json_extract(metadata, '$.schemaVersion'), 1) AS INTEGER))`;

/** A row of the events table as a RawStreamEvent: one json_extract call for three values. */
export const RAW_STREAM_EVENT = `stream_id, revision, CAST(position AS TEXT), event_id, type, data, recorded_at,
  json_extract(metadata, '$.occurredAt', '$.sources', '$.schemaVersion')`;

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A condition on stream_id for FastLogReaderOptions.streamPrefixes ('1' for every stream). The
 * prefixes are written into the statement, which is prepared once, so they are checked to be
 * plain names (no quote, no LIKE wildcard).
 */
export function streamFilter(options: FastLogReaderOptions = {}): string {
  const prefixes = options.streamPrefixes;
  if (prefixes === undefined) return '1';
  if (prefixes.length === 0) return '0';
  for (const prefix of prefixes) {
    if (!PREFIX_PATTERN.test(prefix) || prefix.includes('_'))
      throw new Error(`invalid stream prefix ${JSON.stringify(prefix)}`);
  }
  return `(${prefixes.map((prefix) => `stream_id LIKE '${prefix}%'`).join(' OR ')})`;
}

/** A table or column name to write into a statement. */
export function identifier(name: string): string {
  if (!IDENTIFIER_PATTERN.test(name)) throw new Error(`invalid SQL name ${JSON.stringify(name)}`);
  return name;
}
