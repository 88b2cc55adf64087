import { comparePositions, decodePosition, formatPosition, positionFromClient } from './esdb-position';

describe('EventStoreDB positions', () => {
  it('are written commit/prepare and read back to the same pair', () => {
    const position = { commit: 7840n, prepare: 7712n };
    expect(formatPosition(position)).toBe('7840/7712');
    expect(decodePosition('7840/7712')).toEqual(position);
  });

  it('read a bare number as the same commit and prepare, so "0" is the start', () => {
    expect(decodePosition('0')).toEqual({ commit: 0n, prepare: 0n });
    expect(formatPosition(decodePosition('18446744073709551614'))).toBe('18446744073709551614/18446744073709551614');
  });

  it('order by commit, then prepare, as EventStoreDB does', () => {
    expect(comparePositions(decodePosition('10/5'), decodePosition('10/7'))).toBeLessThan(0);
    expect(comparePositions(decodePosition('11/0'), decodePosition('10/7'))).toBeGreaterThan(0);
    expect(comparePositions(decodePosition('9/9'), decodePosition('9'))).toBe(0);
  });

  it('refuse what is not a position', () => {
    for (const text of ['', ' ', '-1', '1/', '/1', '1/2/3', 'abc', '1.5', '18446744073709551616']) {
      expect(() => decodePosition(text)).toThrow();
    }
  });

  it('treat the -1 a server sends for "no position" as none', () => {
    const max = (1n << 64n) - 1n;
    expect(positionFromClient({ commit: max, prepare: max })).toBeUndefined();
    expect(positionFromClient(undefined)).toBeUndefined();
    expect(positionFromClient({ commit: 5n, prepare: 5n })).toEqual({ commit: 5n, prepare: 5n });
  });
});
