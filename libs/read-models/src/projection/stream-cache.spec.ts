import type { ProcessState } from '@agreements/domain';
import { type StreamEntry, StreamCache } from './stream-cache';

const processEntry = (n: number): StreamEntry => ({
  kind: 'process',
  streamId: `process-${n}`,
  id: String(n),
  revision: 0,
  state: {} as ProcessState,
});

describe('StreamCache bounds', () => {
  it('keeps at most maxStreams streams, however light they are, dropping the least recently used', () => {
    const cache = new StreamCache(1, undefined, 1_000_000, 3);
    cache.install([processEntry(1), processEntry(2), processEntry(3)], '3');
    cache.get('process-1');
    cache.install([processEntry(4)], '4');
    expect(cache.size).toBe(3);
    expect(cache.get('process-2')).toBeUndefined();
    expect(cache.get('process-1')?.id).toBe('1');
    // A stream missing from a cache that dropped some may have rows already: no longer "known new".
    expect(cache.isKnownNew('process-9')).toBe(false);
  });

  it('still bounds by weight (2 per process stream)', () => {
    const cache = new StreamCache(1, undefined, 4);
    cache.install([processEntry(1), processEntry(2), processEntry(3)], '3');
    expect(cache.size).toBe(2);
    expect(cache.get('process-1')).toBeUndefined();
  });

  it('stays complete while nothing was dropped', () => {
    const cache = new StreamCache(1, undefined, 1_000_000, 3);
    cache.install([processEntry(1), processEntry(2), processEntry(3)], '3');
    expect(cache.isKnownNew('process-9')).toBe(true);
  });
});
