import { canonicalJson, type RawStoredEvent } from '@agreements/event-store';
import { isCanonicalJsonText } from '../leaf/canonical-text';
import { hashLeaf, leafOf, type StoredEvent } from '../leaf/leaf';
import { leafMetadataOf, leafText, splicedLeafMetadata } from '../leaf/leaf-text';
import { fromRawStoredEvent } from '../leaf/stored-events';
import { type Hash, leafHash } from '../merkle/hashing';

/** Consecutive events of the log, in order, and their leaves: what the keeper hashes and `verify` checks. */
export interface LogBatch {
  readonly length: number;
  eventId(i: number): string;
  position(i: number): string;
  /** Event i as stored, for the leaf object an export writes. */
  event(i: number): StoredEvent;
  /** Event i's leaf hash: of its RFC 8785 bytes, however the store wrote its text. */
  leafHash(i: number): Hash;
  /** Whether event i's leaf hashes to `expected`: false exactly when its value is not the one hashed. */
  hashesTo(i: number, expected: Hash): boolean;
}

/** Events of a store that gives them parsed (EventStoreDB through the port's readAll). */
export class EventBatch implements LogBatch {
  constructor(private readonly events: readonly StoredEvent[]) {}

  get length(): number {
    return this.events.length;
  }

  eventId(i: number): string {
    return this.events[i].eventId;
  }

  position(i: number): string {
    return this.events[i].position;
  }

  event(i: number): StoredEvent {
    return this.events[i];
  }

  leafHash(i: number): Hash {
    return hashLeaf(leafOf(this.events[i]));
  }

  hashesTo(i: number, expected: Hash): boolean {
    return this.leafHash(i).equals(expected);
  }
}

/**
 * Raw rows of the embedded log (docs/auditing.md, "how the leaf is computed fast"). The store
 * writes data and metadata in canonical member order; a stored text goes into the leaf as it is
 * when it is provably canonical, else it is parsed and canonicalised. The leaf is written by
 * concatenation.
 */
export class RawRowBatch implements LogBatch {
  constructor(private readonly rows: readonly RawStoredEvent[]) {}

  get length(): number {
    return this.rows.length;
  }

  eventId(i: number): string {
    return this.rows[i][3];
  }

  position(i: number): string {
    return this.rows[i][0];
  }

  event(i: number): StoredEvent {
    return fromRawStoredEvent(this.rows[i]);
  }

  leafHash(i: number): Hash {
    const row = this.rows[i];
    const data = row[5];
    const metadata = parsed(row, 6, 'metadata');
    const dataText = isCanonicalJsonText(data) ? data : canonicalJson(parsed(row, 5, 'data'));
    const spliced = metadataFitsAsStored(metadata, row[7]) && isCanonicalJsonText(row[6]) ? splicedLeafMetadata(row[6], row[7]) : undefined;
    return leafHash(leafText(row, dataText, spliced ?? leafMetadataOf(row, metadata)));
  }

  /**
   * First from the stored texts as they are, unparsed (when the metadata text is canonical, as
   * the store writes it): a match is proof enough (SHA-256), as the tree's hash is of canonical
   * bytes, so the stored texts were exactly those. Otherwise, or on a mismatch, the leaf is
   * computed as the keeper does, which tells texts merely written otherwise (an older version's:
   * members unsorted, spaces) from a changed value. A text that is not JSON any more does not match.
   */
  hashesTo(i: number, expected: Hash): boolean {
    const row = this.rows[i];
    const spliced = isCanonicalJsonText(row[6]) ? splicedLeafMetadata(row[6], row[7]) : undefined;
    if (spliced && leafHash(leafText(row, row[5], spliced)).equals(expected)) return true;
    try {
      return this.leafHash(i).equals(expected);
    } catch (err) {
      if (err instanceof StoredTextError) return false;
      throw err;
    }
  }
}

/** Members the leaf keeps as stored (recordedAt is the row's column; any other is left out). */
const SPLICEABLE = new Set(['actor', 'causationId', 'commandId', 'correlationId', 'occurredAt', 'schemaVersion', 'sources']);

/**
 * Whether the stored metadata, once its text is proven canonical, is the leaf's metadata with
 * schemaVersion in recordedAt's place (splicedLeafMetadata): no member the leaf leaves out or
 * renames, no null, a numeric schemaVersion, and strings in the members before it (so its name
 * cannot be found inside one of them).
 */
function metadataFitsAsStored(metadata: unknown, recordedAt: unknown): boolean {
  if (typeof recordedAt !== 'string' || metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return false;
  const stored = metadata as Record<string, unknown>;
  if (typeof stored.schemaVersion !== 'number') return false;
  for (const name of Object.keys(stored)) {
    if (!SPLICEABLE.has(name)) return false;
    const value = stored[name];
    if (name === 'sources' ? value === null : name !== 'schemaVersion' && typeof value !== 'string') return false;
  }
  return true;
}

class StoredTextError extends Error {}

function parsed(row: RawStoredEvent, column: 5 | 6, name: string): unknown {
  try {
    return JSON.parse(row[column]);
  } catch {
    throw new StoredTextError(`event ${row[3]} (position ${row[0]}): its stored ${name} is not JSON`);
  }
}
