import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@agreements/event-store';
import { appendWorkload, generateWorkload } from '../../../read-models/src/testing/workload';
import { hashLeaf, leafOf } from '../leaf/leaf';
import { MemorySubtrees } from '../merkle/memory-subtrees';
import { rootHash } from '../merkle/proofs';
import { SqliteLedgerStore } from '../store/sqlite-ledger-store';
import { LedgerKeeper } from './ledger-keeper';

describe('the ledger keeper on the embedded store', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-keeper-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends one leaf per event in log order, resumes after a restart, and its root is the tree of readAll', async () => {
    const events = await SqliteEventStore.open({ file: join(dir, 'events.sqlite') });
    const workload = generateWorkload({ seed: 7, agreements: 40, processes: 10 });
    await appendWorkload(events, workload.slice(0, 200));
    let ledger = SqliteLedgerStore.open(join(dir, 'ledger.sqlite'));
    let keeper = new LedgerKeeper(events, ledger, { batchSize: 37 });
    const first = await keeper.catchUp();
    await keeper.stop();
    ledger.close();

    await appendWorkload(events, workload.slice(200));
    ledger = SqliteLedgerStore.open(join(dir, 'ledger.sqlite'));
    keeper = new LedgerKeeper(events, ledger, { batchSize: 37 });
    keeper.start();
    const all = await events.readAll();
    const deadline = Date.now() + 10_000;
    while (ledger.size() < all.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await keeper.stop();

    expect(first).toBeGreaterThan(0);
    expect(ledger.size()).toBe(all.length);
    // The same tree computed in memory from the port's events: same leaves, same order.
    const expected = MemorySubtrees.of(all.map((e) => hashLeaf(leafOf(e as never))));
    expect(ledger.root().equals(rootHash(expected, all.length))).toBe(true);
    expect(ledger.root(first).equals(rootHash(expected, first))).toBe(true);
    expect(ledger.leafIndexOf(all[123].eventId)).toBe(123);
    expect(ledger.leaves(5, 2).map((l) => l.eventId)).toEqual([all[5].eventId, all[6].eventId]);
    ledger.close();
    await events.close();
  });
});
