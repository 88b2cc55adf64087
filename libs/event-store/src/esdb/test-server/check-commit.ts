import type { InMemoryEsdbState } from './in-memory-state';

export type ExpectedVersion =
  { kind: 'any' } | { kind: 'no_stream' } | { kind: 'stream_exists' } | { kind: 'revision'; revision: bigint };

export type CommitDecision =
  | { decision: 'ok' }
  | { decision: 'wrong_expected_version'; currentVersion: bigint }
  /** Every event of the write is already in the stream: answer success with these revisions, write nothing. */
  | { decision: 'idempotent'; firstRevision: bigint; lastRevision: bigint };

/**
 * The server's decision for a write, as EventStoreDB's `IndexWriter.CheckCommit` makes it
 * (soft-deleted and tombstoned streams left out: this server cannot delete).
 *
 * - `any` / `stream_exists`: the idempotency check only looks at the committed-event-id cache. If
 *   the first event id is not there (or is there for another stream) the write goes ahead — so a
 *   retry with `any` long after the first write appends the events a second time once the cache
 *   has forgotten them. If the first is there, every id must be there for this stream: then the
 *   write is idempotent (answered with the revisions of the first write), otherwise it is a
 *   wrong expected version ("corrupted idempotency"). The revisions are not checked to be
 *   consecutive.
 * - `stream_exists` on a stream that does not exist (and has no metadata stream): wrong expected
 *   version.
 * - `no_stream` (-1) or an exact revision E below the current revision: the events must be, one by
 *   one, the events at revisions E+1, E+2, ... (looked up in the cache, then in the stream itself,
 *   so this check is durable). All match: idempotent; the first does not match: wrong expected
 *   version; a later one does not (or the stream ends first): wrong expected version. A write
 *   without events at E < current is a wrong expected version.
 * - an exact revision above the current revision: wrong expected version; equal: ok.
 */
export function checkCommit(
  state: InMemoryEsdbState,
  streamName: string,
  expected: ExpectedVersion,
  eventIds: readonly string[],
): CommitDecision {
  const currentVersion = state.lastRevision(streamName);

  if (expected.kind === 'stream_exists' && currentVersion < 0n && state.lastRevision(`$$${streamName}`) < 0n) {
    return { decision: 'wrong_expected_version', currentVersion };
  }

  if (expected.kind === 'any' || expected.kind === 'stream_exists') {
    let firstRevision: bigint | undefined;
    let lastRevision = -1n;
    for (const eventId of eventIds) {
      const committed = state.committedEvents.get(eventId);
      if (!committed || committed.streamName !== streamName) {
        return firstRevision === undefined
          ? { decision: 'ok' }
          : { decision: 'wrong_expected_version', currentVersion };
      }
      firstRevision ??= committed.revision;
      lastRevision = committed.revision;
    }
    if (firstRevision === undefined) return { decision: 'ok' };
    return { decision: 'idempotent', firstRevision, lastRevision };
  }

  const expectedVersion = expected.kind === 'no_stream' ? -1n : expected.revision;
  if (expectedVersion < currentVersion) {
    let eventNumber = expectedVersion;
    for (const eventId of eventIds) {
      eventNumber += 1n;
      const committed = state.committedEvents.get(eventId);
      if (committed && committed.streamName === streamName && committed.revision === eventNumber) continue;
      if (state.recordAt(streamName, eventNumber)?.eventId === eventId) continue;
      return { decision: 'wrong_expected_version', currentVersion };
    }
    if (eventNumber === expectedVersion) return { decision: 'wrong_expected_version', currentVersion };
    return { decision: 'idempotent', firstRevision: expectedVersion + 1n, lastRevision: eventNumber };
  }
  if (expectedVersion > currentVersion) return { decision: 'wrong_expected_version', currentVersion };
  return { decision: 'ok' };
}
