import type { EventEnvelope } from './decider';
import { upcastData, upcastEnvelope, type UpcasterChains } from './upcasting';

// A made-up type with two schema changes: v1 `name` -> v2 `title` -> v3 adds `tags`.
const chains: UpcasterChains = {
  Renamed: {
    current: 3,
    steps: {
      1: ({ name, ...rest }) => ({ ...rest, title: name }),
      2: (data) => (data.tags === undefined ? { ...data, tags: [] } : data),
    },
  },
};

const envelope = (schemaVersion: number | undefined, data: Record<string, unknown>): EventEnvelope => ({
  eventId: 'e1',
  type: 'Renamed',
  data,
  occurredAt: '2017',
  recordedAt: '2017-07-06T12:00:00.000Z',
  revision: 0,
  ...(schemaVersion === undefined ? {} : { schemaVersion }),
});

describe('upcasting a stored event to its current schema version', () => {
  it('given a v1 event, when read, then every step runs in order and it is at the current version', () => {
    expect(upcastData(chains, 'Renamed', { schemaVersion: 1, data: { name: 'A' } })).toEqual({ schemaVersion: 3, data: { title: 'A', tags: [] } });
  });

  it('given a v2 event, when read, then only the later steps run', () => {
    expect(upcastData(chains, 'Renamed', { schemaVersion: 2, data: { title: 'A' } })).toEqual({ schemaVersion: 3, data: { title: 'A', tags: [] } });
  });

  it('given an event at the current version, or newer than this code knows, when read, then it is left as stored', () => {
    const current = { schemaVersion: 3, data: { title: 'A', tags: ['x'] } };
    expect(upcastData(chains, 'Renamed', current)).toBe(current);
    const newer = { schemaVersion: 4, data: { heading: 'A' } };
    expect(upcastData(chains, 'Renamed', newer)).toBe(newer);
  });

  it('given a type without a chain, when read, then it is left as stored', () => {
    const stored = { schemaVersion: 1, data: { name: 'A' } };
    expect(upcastData(chains, 'Unchanged', stored)).toBe(stored);
  });

  it('given a chain with a missing step, when a version before it is read, then it fails loudly rather than guessing', () => {
    const broken: UpcasterChains = { Renamed: { current: 3, steps: { 2: (data) => data } } };
    expect(() => upcastData(broken, 'Renamed', { schemaVersion: 1, data: {} })).toThrow('no upcaster for Renamed from version 1 to 2');
  });

  it('given an envelope, when upcast, then its data and version change and the rest is kept; a current one is the same object', () => {
    expect(upcastEnvelope(chains, envelope(1, { name: 'A' }))).toEqual({ ...envelope(3, { title: 'A', tags: [] }) });
    const current = envelope(3, { title: 'A', tags: [] });
    expect(upcastEnvelope(chains, current)).toBe(current);
  });

  it('given an envelope made in memory (no version), when upcast, then it is taken as current', () => {
    const inMemory = envelope(undefined, { title: 'A' });
    expect(upcastEnvelope(chains, inMemory)).toBe(inMemory);
  });
});
