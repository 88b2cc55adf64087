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

/** The leaf's metadata members (the text between its braces) and its schemaVersion's text, if it has one. */
export interface LeafMetadataText {
  members: string;
  schemaVersion: string | undefined;
}

/** The leaf text of a raw row, given its data's text and its metadata's. */
export function leafText(row: RawStoredEvent, dataText: string, metadata: LeafMetadataText): string {
  const schemaVersion = metadata.schemaVersion === undefined ? '' : `,"schemaVersion":${metadata.schemaVersion}`;
  return (
    `{"data":${dataText},"eventId":${text(row[3])},"metadata":{${metadata.members}},"position":${text(row[0])}` +
    `,"revision":${text(row[2])}${schemaVersion},"streamId":${text(row[1])},"type":${text(row[4])}}`
  );
}

/** The leaf's metadata from the row's metadata, parsed (any content: members picked as leafOf picks them). */
export function leafMetadataOf(row: RawStoredEvent, metadata: unknown): LeafMetadataText {
  const stored = (metadata ?? {}) as Record<string, unknown>;
  // Each member behind a comma; the first comma dropped.
  const members =
    member('actor', stored.actor) +
    member('causationId', stored.causationId) +
    member('commandId', stored.commandId) +
    member('correlationId', stored.correlationId) +
    member('occurredAt', stored.occurredAt) +
    member('recordedAt', row[7]) +
    member('sources', stored.sources);
  return { members: members.slice(1), schemaVersion: typeof stored.schemaVersion === 'number' ? text(stored.schemaVersion) : undefined };
}

/** The leaf text of a raw row with `dataText` in the place of data; `metadata` is the row's metadata, parsed. */
export function leafTextOfRow(row: RawStoredEvent, dataText: string, metadata: unknown): string {
  return leafText(row, dataText, leafMetadataOf(row, metadata));
}

const SCHEMA_VERSION = '"schemaVersion":';

const isNumberChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;

/**
 * The leaf's metadata cut out of the stored metadata text, unparsed: the text with its
 * schemaVersion member taken out (it goes to the top of the leaf) and recordedAt (the row's
 * column) put in its place, which is where it sorts when no other member sorts between them.
 * Undefined when the text has no such member. It is the leaf's metadata exactly when the stored
 * text is canonical, has no member the leaf leaves out (an unknown one, a null, a recordedAt),
 * and only strings before schemaVersion (log-batch.ts checks that before relying on it); else
 * it is only a guess, which `verify` may try as a hash compare settles it.
 */
export function splicedLeafMetadata(metadataText: string, recordedAt: unknown): LeafMetadataText | undefined {
  const at = metadataText.indexOf(SCHEMA_VERSION);
  if (at < 1 || typeof recordedAt !== 'string' || metadataText.charCodeAt(metadataText.length - 1) !== 0x7d) return undefined;
  const before = metadataText.charCodeAt(at - 1);
  const first = before === 0x7b /* { */ && at === 1;
  if (!first && before !== 0x2c /* , */) return undefined;
  const start = at + SCHEMA_VERSION.length;
  let end = start;
  while (isNumberChar(metadataText.charCodeAt(end))) end += 1;
  const after = metadataText.charCodeAt(end);
  if (end === start || (after !== 0x2c && after !== 0x7d)) return undefined;
  const recorded = `"recordedAt":${JSON.stringify(recordedAt)}`;
  const rest = metadataText.slice(end, -1); // ',"sources":…' or ''
  return {
    members: first ? `${recorded}${rest}` : `${metadataText.slice(1, at - 1)},${recorded}${rest}`,
    schemaVersion: metadataText.slice(start, end),
  };
}
