/**
 * Positions of the EventStoreDB store: the `$all` position of an event, a (commit, prepare) pair
 * of transaction-log offsets, written as "commit/prepare" in decimal ("7840/7840"). EventStoreDB
 * orders positions by commit, then prepare; so does comparePositions. A bare decimal "N" is read
 * as "N/N", so that "0" (the start of the log, as the HTTP API's examples write it) is accepted.
 */
import type { Position as ClientPosition } from '@eventstore/db-client';

export interface EsdbPosition {
  commit: bigint;
  prepare: bigint;
}

const MAX_UINT64 = (1n << 64n) - 1n;
const PATTERN = /^(\d{1,20})(?:\/(\d{1,20}))?$/;

export function formatPosition(position: EsdbPosition): string {
  return `${position.commit}/${position.prepare}`;
}

export function decodePosition(text: string): EsdbPosition {
  const match = PATTERN.exec(text);
  if (!match) throw new Error(`not an EventStoreDB position: "${text}"`);
  const commit = BigInt(match[1]);
  const prepare = match[2] === undefined ? commit : BigInt(match[2]);
  if (commit > MAX_UINT64 || prepare > MAX_UINT64) throw new Error(`not an EventStoreDB position: "${text}"`);
  return { commit, prepare };
}

export function comparePositions(a: EsdbPosition, b: EsdbPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/**
 * The position the server sent with an event, or undefined when it sent none: servers before 22.6
 * send -1 (2^64-1 on the wire) for events read from a stream rather than from `$all`.
 */
export function positionFromClient(position: ClientPosition | undefined): EsdbPosition | undefined {
  if (!position || position.commit === MAX_UINT64 || position.prepare === MAX_UINT64) return undefined;
  return { commit: position.commit, prepare: position.prepare };
}
