import { checkCommit } from './check-commit';
import { InMemoryEsdbState } from './in-memory-state';

describe("the test server's write decisions (EventStoreDB's CheckCommit)", () => {
  const record = (eventId: string) => ({
    eventId,
    type: 'Counted',
    contentType: 'application/json',
    data: Buffer.from('{}'),
    customMetadata: new Uint8Array(),
  });
  const given = (capacity = 100) => {
    const state = new InMemoryEsdbState({ committedEventsCacheCapacity: capacity, writeSystemEventsAtStartup: false });
    state.write('counter', [record('a'), record('b')]);
    return state;
  };

  it('accepts the exact current revision and no_stream on a missing stream', () => {
    expect(checkCommit(given(), 'counter', { kind: 'revision', revision: 1n }, ['c'])).toEqual({ decision: 'ok' });
    expect(checkCommit(given(), 'other', { kind: 'no_stream' }, ['c'])).toEqual({ decision: 'ok' });
  });

  it('refuses a revision ahead of the stream, stream_exists on a missing one, and new events at a stale revision', () => {
    expect(checkCommit(given(), 'counter', { kind: 'revision', revision: 5n }, ['c'])).toEqual({
      decision: 'wrong_expected_version',
      currentVersion: 1n,
    });
    expect(checkCommit(given(), 'other', { kind: 'stream_exists' }, ['c'])).toEqual({
      decision: 'wrong_expected_version',
      currentVersion: -1n,
    });
    expect(checkCommit(given(), 'counter', { kind: 'no_stream' }, ['c'])).toMatchObject({
      decision: 'wrong_expected_version',
    });
  });

  it('answers the same ids at the same stale revision as already written, and a partial match as a conflict', () => {
    expect(checkCommit(given(), 'counter', { kind: 'no_stream' }, ['a', 'b'])).toEqual({
      decision: 'idempotent',
      firstRevision: 0n,
      lastRevision: 1n,
    });
    expect(checkCommit(given(), 'counter', { kind: 'revision', revision: 0n }, ['b'])).toEqual({
      decision: 'idempotent',
      firstRevision: 1n,
      lastRevision: 1n,
    });
    expect(checkCommit(given(), 'counter', { kind: 'no_stream' }, ['a', 'x'])).toMatchObject({
      decision: 'wrong_expected_version',
    });
    expect(checkCommit(given(), 'counter', { kind: 'revision', revision: 0n }, ['b', 'c'])).toMatchObject({
      decision: 'wrong_expected_version',
    });
  });

  it('with any, recognises written ids through the cache only', () => {
    expect(checkCommit(given(), 'counter', { kind: 'any' }, ['a', 'b'])).toEqual({
      decision: 'idempotent',
      firstRevision: 0n,
      lastRevision: 1n,
    });
    expect(checkCommit(given(), 'counter', { kind: 'any' }, ['a', 'x'])).toMatchObject({
      decision: 'wrong_expected_version',
    });
    expect(checkCommit(given(), 'elsewhere', { kind: 'any' }, ['a'])).toEqual({ decision: 'ok' });
    expect(checkCommit(given(1), 'counter', { kind: 'any' }, ['a'])).toEqual({ decision: 'ok' });
  });
});
