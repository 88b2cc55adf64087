import { canonicalJson, type RawStoredEvent } from '@agreements/event-store';

// The leaf's canonical text written straight from a stored row, without building the leaf object
// (leaf.ts) and without re-writing `data`: the members in the JCS order of their names (data,
// eventId, metadata, position, revision, schemaVersion, streamId, type; and actor, causationId,
// commandId, correlationId, occurredAt, recordedAt, sources within metadata), each value written
// as canonicalJson writes it. log-batch.spec.ts checks it equals canonicalJson(leafOf(...)).
// Unrolled on purpose: it runs once per event for the keeper and `verify`.

/** A value as canonicalJson writes it; strings, numbers and empty lists without its walk. */
function text(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return JSON.stringify(value);
  if (Array.isArray(value) && value.length === 0) return '[]';
  return canonicalJson(value);
}

/** `,"name":value` for a metadata member that is there (not undefined, not null), else ''. */
const member = (name: string, value: unknown): string => (value === undefined || value === null ? '' : `,"${name}":${text(value)}`);

/**
 * The leaf text of a raw row with `dataText` in the place of data: the row's stored text itself
 * (which is the canonical leaf only when that text is canonical), or its canonical form.
 * `metadata` is the row's metadata, parsed.
 */
export function leafTextOfRow(row: RawStoredEvent, dataText: string, metadata: unknown): string {
  const stored = (metadata ?? {}) as Record<string, unknown>;
  // recordedAt is the row's column, never absent: every other member is written behind a comma.
  const members =
    member('actor', stored.actor) +
    member('causationId', stored.causationId) +
    member('commandId', stored.commandId) +
    member('correlationId', stored.correlationId) +
    member('occurredAt', stored.occurredAt) +
    member('recordedAt', row[7]) +
    member('sources', stored.sources);
  const schemaVersion = typeof stored.schemaVersion === 'number' ? `,"schemaVersion":${text(stored.schemaVersion)}` : '';
  return (
    `{"data":${dataText},"eventId":${text(row[3])},"metadata":{${members.slice(1)}},"position":${text(row[0])}` +
    `,"revision":${text(row[2])}${schemaVersion},"streamId":${text(row[1])},"type":${text(row[4])}}`
  );
}
