import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, type RawStoredEvent } from '@agreements/event-store';
import { hashLeaf, leafOf } from '../leaf/leaf';
import { leafTextOfRow, splicedLeafMetadata } from '../leaf/leaf-text';
import { fromRawStoredEvent } from '../leaf/stored-events';
import { RawRowBatch } from './log-batch';

// The keeper's and `verify`'s leaf of a raw row (stored text hashed as it is when canonical, the
// leaf written by concatenation) against the reference: canonicalJson of the leaf object.

const metadata = fc.record(
  {
    actor: fc.oneof(fc.string(), fc.constant(null)),
    commandId: fc.uuid(),
    correlationId: fc.uuid(),
    causationId: fc.string(),
    occurredAt: fc.string(),
    sources: fc.jsonValue(),
    schemaVersion: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
    recordedAt: fc.string(), // a stored recordedAt in metadata is not the leaf's: the column is
    other: fc.jsonValue(),
  },
  { requiredKeys: [] },
);

const rowOf = (dataText: string, meta: unknown, n: number, metaText = JSON.stringify(meta)): RawStoredEvent => [
  String(n + 1),
  `agreement-${n}`,
  n,
  `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  'ProvisionAdded',
  dataText,
  metaText,
  '2026-11-29T22:00:00.000Z',
];

/** The ways a store may have written the same data: canonical, in the order built, spaced out. */
const writings = [(v: unknown) => canonicalize(v) as string, (v: unknown) => JSON.stringify(v), (v: unknown) => JSON.stringify(v, null, 2)];

describe('a batch of raw rows: leaf hashes without building the leaf', () => {
  it('writes the leaf text byte for byte as canonicalJson of the leaf object', () => {
    fc.assert(
      fc.property(fc.jsonValue(), metadata, fc.nat(1000), (data, meta, n) => {
        const row = rowOf(JSON.stringify(data), meta, n);
        const reference = canonicalJson(leafOf(fromRawStoredEvent(row)));
        expect(leafTextOfRow(row, canonicalJson(JSON.parse(row[5])), JSON.parse(row[6]))).toBe(reference);
      }),
      { numRuns: 3000 },
    );
  });

  it("gives the reference leaf hash however the row's data text was written", () => {
    fc.assert(
      fc.property(fc.jsonValue(), metadata, fc.nat(1000), (data, meta, n) => {
        // Data and metadata each written every way (metadata canonical is what the store writes now).
        const rows = writings.flatMap((write) => writings.map((writeMeta) => rowOf(write(data), meta, n, writeMeta(meta))));
        const reference = hashLeaf(leafOf(fromRawStoredEvent(rows[0])));
        const batch = new RawRowBatch(rows);
        for (let i = 0; i < rows.length; i += 1) {
          expect(batch.leafHash(i).equals(reference)).toBe(true);
          expect(batch.hashesTo(i, reference)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('verifies a text an older version wrote (members unsorted, spaces) the slow way, and catches a changed byte in any writing', () => {
    const data = { provisionId: 'zone-1', kind: 'zone', title: 'De-escalation zone 1', area: { km2: 1200, names: ['Idlib'] } };
    const meta = { actor: 'desk-1', commandId: 'c-1', sources: [{ publisher: 'Xinhua' }], schemaVersion: 1 };
    const canonical = rowOf(canonicalJson(data), meta, 1);
    const expected = hashLeaf(leafOf(fromRawStoredEvent(canonical)));
    const older = [JSON.stringify(data), JSON.stringify(data, null, 1), ' {"title":"De-escalation zone 1","provisionId":"zone-1","kind":"zone","area":{"names":["Idlib"],"km2":1.2e3}} '];
    for (const text of older) {
      const batch = new RawRowBatch([rowOf(text, meta, 1)]);
      expect(leafTextOfRow(rowOf(text, meta, 1), text, meta)).not.toBe(canonicalJson(leafOf(fromRawStoredEvent(canonical))));
      expect(batch.hashesTo(0, expected)).toBe(true);
      expect(batch.leafHash(0).equals(expected)).toBe(true);
    }
    for (const text of [canonicalJson(data), ...older]) {
      for (const changed of [text.replace('Idlib', 'Idlic'), text.replace('1200', '1201').replace('1.2e3', '1.201e3'), text.replace('"zone"', '"zona"')]) {
        expect(changed).not.toBe(text);
        expect(new RawRowBatch([rowOf(changed, meta, 1)]).hashesTo(0, expected)).toBe(false);
      }
      // A text that is not JSON any more: no match (named by verify), not an exception.
      expect(new RawRowBatch([rowOf(text.slice(0, -2), meta, 1)]).hashesTo(0, expected)).toBe(false);
    }
    // A changed member of the row itself, or of its metadata, is caught on either way too.
    const moved = [...canonical] as unknown[];
    moved[2] = 2; // another revision
    expect(new RawRowBatch([moved as unknown as RawStoredEvent]).hashesTo(0, expected)).toBe(false);
    expect(new RawRowBatch([rowOf(canonicalJson(data), { ...meta, actor: 'desk-2' }, 1)]).hashesTo(0, expected)).toBe(false);
  });

  it('takes the leaf metadata out of a canonical stored text as it is, and falls back on anything the leaf leaves out', () => {
    const meta = { actor: 'desk-1', causationId: 'c', commandId: 'c', correlationId: 'c', occurredAt: '2017-05', schemaVersion: 2, sources: [{ publisher: 'UN' }] };
    expect(splicedLeafMetadata(canonicalJson(meta), '2026-11-29T22:00:00.000Z')).toEqual({
      members: '"actor":"desk-1","causationId":"c","commandId":"c","correlationId":"c","occurredAt":"2017-05","recordedAt":"2026-11-29T22:00:00.000Z","sources":[{"publisher":"UN"}]',
      schemaVersion: '2',
    });
    expect(splicedLeafMetadata('{"schemaVersion":1}', 'r')).toEqual({ members: '"recordedAt":"r"', schemaVersion: '1' });
    expect(splicedLeafMetadata('{"actor":"a"}', 'r')).toBeUndefined();
    // Stored texts the splice would get wrong: the keeper parses those and still gives the reference hash.
    for (const odd of [{ ...meta, actor: null }, { ...meta, extra: 1 }, { ...meta, recordedAt: 'x' }, { ...meta, actor: { schemaVersion: 3 } }, { ...meta, schemaVersion: '2' }]) {
      const row = rowOf(canonicalJson({ a: 1 }), odd, 2, canonicalJson(odd));
      const reference = hashLeaf(leafOf(fromRawStoredEvent(row)));
      expect(new RawRowBatch([row]).leafHash(0).equals(reference)).toBe(true);
      expect(new RawRowBatch([row]).hashesTo(0, reference)).toBe(true);
    }
  });

  it('names the event whose stored data is not JSON when the keeper hashes it', () => {
    const row = rowOf('{"kind":', {}, 3);
    expect(() => new RawRowBatch([row]).leafHash(0)).toThrow(`event ${row[3]} (position 4): its stored data is not JSON`);
  });
});
