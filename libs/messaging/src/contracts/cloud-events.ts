import { upcastStoredData } from '@agreements/domain';
import type { RecordedEvent } from '@agreements/event-store';

/**
 * CloudEvents 1.0 in the Kafka protocol binding's binary mode: the event's data is the message
 * value, its attributes are `ce_`-prefixed headers. Extension attribute names are lower-case
 * letters and digits only (CloudEvents naming rule), hence `occurredat`, not `occurred_at`.
 */
export const CE_HEADERS = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  subject: 'ce_subject',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  occurredat: 'ce_occurredat',
  revision: 'ce_revision',
  position: 'ce_position',
  correlationid: 'ce_correlationid',
  causationid: 'ce_causationid',
  actor: 'ce_actor',
} as const;

export const CONTENT_TYPE_HEADER = 'content-type';
export const JSON_CONTENT_TYPE = 'application/json';
export const CE_SPEC_VERSION = '1.0';
export const CE_TYPE_PREFIX = 'agreements.';

/** `agreements.MemorandumSigned.v1` */
export function ceTypeOf(eventType: string, schemaVersion: number): string {
  return `${CE_TYPE_PREFIX}${eventType}.v${schemaVersion}`;
}

/** `urn:agreements:schema:MemorandumSigned.v1`: the payload schema, named as the AsyncAPI document's components/schemas name it. */
export function ceDataSchemaOf(eventType: string, schemaVersion: number): string {
  return `urn:agreements:schema:${eventType}.v${schemaVersion}`;
}

/** The event type and schema version a `ce_type` names, or undefined when it is not one of ours. */
export function parseCeType(ceType: string): { eventType: string; schemaVersion: number } | undefined {
  const match = /^agreements\.([A-Za-z][A-Za-z0-9]*)\.v(\d+)$/.exec(ceType);
  return match ? { eventType: match[1], schemaVersion: Number(match[2]) } : undefined;
}

export type CloudEventHeaders = Record<(typeof CE_HEADERS)[keyof typeof CE_HEADERS] | typeof CONTENT_TYPE_HEADER, string>;

export interface OutgoingMessage {
  key: string;
  /** null: a tombstone (compacted topics drop the key). */
  value: string | null;
  headers: Record<string, string>;
}

/**
 * The message for one stored event on `agreements.events.v1`: keyed by stream id (one stream, one
 * partition, so a stream's events stay in revision order), value = the event data as JSON.
 * Built only from what the store holds, so a republished event has the very same headers.
 * The data is published in its type's current schema version (upcast from an older stored one),
 * and ce_type / ce_dataschema name that version: consumers only ever see current shapes.
 */
export function eventMessage(event: RecordedEvent, source: string): OutgoingMessage {
  const metadata = event.metadata;
  const current = upcastStoredData(event.type, { schemaVersion: metadata.schemaVersion ?? 1, data: event.data ?? {} });
  const headers: CloudEventHeaders = {
    [CE_HEADERS.specversion]: CE_SPEC_VERSION,
    [CE_HEADERS.id]: event.eventId,
    [CE_HEADERS.type]: ceTypeOf(event.type, current.schemaVersion),
    [CE_HEADERS.dataschema]: ceDataSchemaOf(event.type, current.schemaVersion),
    [CE_HEADERS.source]: source,
    [CE_HEADERS.subject]: event.streamId,
    [CE_HEADERS.time]: event.recordedAt,
    [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE,
    [CE_HEADERS.occurredat]: metadata.occurredAt,
    [CE_HEADERS.revision]: String(event.revision),
    [CE_HEADERS.position]: event.position,
    [CE_HEADERS.correlationid]: metadata.correlationId,
    [CE_HEADERS.causationid]: metadata.causationId,
    [CE_HEADERS.actor]: metadata.actor,
  };
  // A header with an undefined value would make kafkajs throw for the whole batch; an event
  // written without one of them (never by this product) gets an empty string instead.
  for (const name of Object.keys(headers) as Array<keyof CloudEventHeaders>) {
    if (typeof headers[name] !== 'string') headers[name] = headers[name] === undefined || headers[name] === null ? '' : String(headers[name]);
  }
  return { key: event.streamId, value: JSON.stringify(current.data), headers };
}
