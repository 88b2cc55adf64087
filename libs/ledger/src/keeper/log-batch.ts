import { canonicalJson, type RawStoredEvent } from '@agreements/event-store';
import { isCanonicalJsonText } from '../leaf/canonical-text';
import { hashLeaf, leafOf, type StoredEvent } from '../leaf/leaf';
import { leafTextOfRow } from '../leaf/leaf-text';
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
 * Raw rows of the embedded log (docs/auditing.md, "how the leaf is computed fast"). The stored
 * `data` text goes into the leaf as it is when it is provably canonical (the store writes it so),
 * else it is parsed and canonicalised; the leaf itself is written by concatenation.
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
    return leafHash(leafTextOfRow(row, dataText, metadata));
  }

  /**
   * First with the stored text as it is, without checking it: a match is proof enough (SHA-256),
   * as the tree's hash is of canonical bytes, so the stored text was exactly those. Only a
   * mismatch is canonicalised, to tell a text merely written otherwise (an older version's, keys
   * unsorted or spaced) from a changed value. A text that is not JSON any more does not match.
   */
  hashesTo(i: number, expected: Hash): boolean {
    const row = this.rows[i];
    const data = row[5];
    try {
      const metadata = parsed(row, 6, 'metadata');
      if (leafHash(leafTextOfRow(row, data, metadata)).equals(expected)) return true;
      if (isCanonicalJsonText(data)) return false;
      return leafHash(leafTextOfRow(row, canonicalJson(parsed(row, 5, 'data')), metadata)).equals(expected);
    } catch (err) {
      if (err instanceof StoredTextError) return false;
      throw err;
    }
  }
}

class StoredTextError extends Error {}

function parsed(row: RawStoredEvent, column: 5 | 6, name: string): unknown {
  try {
    return JSON.parse(row[column]);
  } catch {
    throw new StoredTextError(`event ${row[3]} (position ${row[0]}): its stored ${name} is not JSON`);
  }
}
