import { InvalidCursorError } from '../read-model.port';

export type CursorKind = 'agreements' | 'processes';

/**
 * Opaque to clients: base64url of the list it belongs to and the last sort key of the page
 * (the id). Lists are ordered by id, so "after this id" resumes exactly, whatever was written
 * in between.
 */
export function encodeCursor(kind: CursorKind, lastKey: string): string {
  return Buffer.from(JSON.stringify([kind, lastKey]), 'utf8').toString('base64url');
}

export function decodeCursor(kind: CursorKind, cursor: string): string {
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > 400 || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
    throw new InvalidCursorError('not a cursor this API gave');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a cursor this API gave');
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== kind || typeof decoded[1] !== 'string' || decoded[1] === '') {
    throw new InvalidCursorError(`not a cursor of the ${kind} list`);
  }
  // The key is an id this API gave (at most 100 characters, no control character): a NUL would
  // otherwise reach PostgreSQL, which refuses it in text as an error of its own.
  if (decoded[1].length > 100 || [...decoded[1]].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    throw new InvalidCursorError('not a cursor this API gave');
  }
  return decoded[1];
}
