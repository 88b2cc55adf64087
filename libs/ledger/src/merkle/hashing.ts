import { createHash, hash } from 'node:crypto';

// RFC 9162 section 2.1 with SHA-256: a leaf is hashed behind 0x00, an inner node behind 0x01, so
// a leaf can never be passed off as a node (second-preimage resistance).

export type Hash = Buffer;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The root of the tree of no leaves: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function leafHash(leafBytes: Uint8Array | string): Hash {
  // A string is hashed as its UTF-8 bytes (0x00 is U+0000's), in one call without a Hash object:
  // about a third less time a leaf than createHash, update and digest (docs/auditing.md).
  if (typeof leafBytes === 'string') return hash('sha256', `\u0000${leafBytes}`, 'buffer');
  return createHash('sha256').update(LEAF_PREFIX).update(leafBytes).digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right], 65), 'buffer');
}

/** The largest power of two strictly smaller than n (n >= 2): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export const toHex = (hash: Hash): string => hash.toString('hex');

const HEX_HASH = /^[0-9a-f]{64}$/;
/** A lower-case hex SHA-256 as JSON carries it; throws on anything else. */
export function fromHex(text: string): Hash {
  if (!HEX_HASH.test(text)) throw new Error(`not a lower-case hex SHA-256: ${JSON.stringify(text)}`);
  return Buffer.from(text, 'hex');
}
