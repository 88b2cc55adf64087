import type { RawLogEvent } from '@agreements/event-store';
import type { StoredEvent } from '../folding/stored-event';
import type { GenerationTables } from './schema';
import type { BulkColumnType, Db, Sql } from './sql';

export interface EventRow {
  stream_id: string;
  revision: number | string;
  position: string;
  event_id: string;
  type: string;
  data: string;
  occurred_at: string;
  recorded_at: string;
  sources: string;
  schema_version: number | string;
}

const COLUMNS = 'stream_id, revision, position, event_id, type, data, occurred_at, recorded_at, sources, schema_version';
export const EVENT_COLUMNS = ['stream_id', 'revision', 'position', 'event_id', 'type', 'data', 'occurred_at', 'recorded_at', 'sources', 'schema_version'] as const;
/** EVENT_COLUMNS with their types, for Sql.insertBulk. */
export const TYPED_EVENT_COLUMNS: ReadonlyArray<readonly [(typeof EVENT_COLUMNS)[number], BulkColumnType]> = EVENT_COLUMNS.map((name) => [
  name,
  name === 'revision' || name === 'schema_version' ? 'integer' : 'text',
]);

/** One event as the values of its row, in EVENT_COLUMNS order: the event store's raw log rows have the same shape. */
export type EventRowValues = RawLogEvent;

export function toRowValues(streamId: string, event: StoredEvent): EventRowValues {
  return [
    streamId,
    event.revision,
    event.position,
    event.eventId,
    event.type,
    JSON.stringify(event.data),
    event.occurredAt,
    event.recordedAt,
    JSON.stringify(event.sources),
    event.schemaVersion,
  ];
}

export function rowValuesOf(row: EventRow): EventRowValues {
  return [row.stream_id, Number(row.revision), row.position, row.event_id, row.type, row.data, row.occurred_at, row.recorded_at, row.sources, Number(row.schema_version)];
}

export function toStoredEventFromValues(values: EventRowValues): StoredEvent {
  return {
    eventId: values[3],
    type: values[4],
    data: JSON.parse(values[5]),
    occurredAt: values[6],
    recordedAt: values[7],
    revision: values[1],
    position: values[2],
    sources: JSON.parse(values[8]),
    schemaVersion: values[9],
  };
}

export function toStoredEventFromRow(row: EventRow): StoredEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    data: JSON.parse(row.data),
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    revision: Number(row.revision),
    position: row.position,
    sources: JSON.parse(row.sources),
    schemaVersion: Number(row.schema_version),
  };
}

/** The read model's copy of these streams' events, each stream in revision order. */
export async function readStreamEvents(sql: Sql, db: Db, tables: GenerationTables, streamIds: readonly string[]): Promise<Map<string, StoredEvent[]>> {
  const byStream = new Map<string, StoredEvent[]>();
  for (const [streamId, rows] of await readStreamRows(sql, db, tables, streamIds)) byStream.set(streamId, rows.map(toStoredEventFromValues));
  return byStream;
}

/** The same, as row values (what the projector caches). */
export async function readStreamRows(sql: Sql, db: Db, tables: GenerationTables, streamIds: readonly string[]): Promise<Map<string, EventRowValues[]>> {
  const rows = await sql.selectIn<EventRow>(db, `SELECT ${COLUMNS} FROM ${tables.events}`, 'stream_id', streamIds, 'ORDER BY stream_id, revision');
  const byStream = new Map<string, EventRowValues[]>();
  for (const row of rows) {
    let list = byStream.get(row.stream_id);
    if (!list) {
      list = [];
      byStream.set(row.stream_id, list);
    }
    list.push(rowValuesOf(row));
  }
  return byStream;
}

export async function readStream(sql: Sql, db: Db, tables: GenerationTables, streamId: string): Promise<StoredEvent[]> {
  const rows = await sql.all<EventRow>(db, `SELECT ${COLUMNS} FROM ${tables.events} WHERE stream_id = ? ORDER BY revision`, [streamId]);
  return rows.map(toStoredEventFromRow);
}
