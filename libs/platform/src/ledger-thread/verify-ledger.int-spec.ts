import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@agreements/event-store';
import { HeadSigner, LedgerKeeper, loadSigningKey, SqliteLedgerStore } from '@agreements/ledger';
import { appendWorkload, generateWorkload } from '../../../read-models/src/testing/workload';
import { verifyLedger } from './verify-ledger';

// `verify` with the leaves checked on worker threads, in ranges: the same verdict as one thread,
// the first difference of the lowest range named.

describe('verifyLedger on threads', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'verify-threads-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('checks every leaf in ranges, counts events beyond the tree, and names the first changed event of the lowest range', async () => {
    const file = join(dir, 'events.sqlite');
    const events = await SqliteEventStore.open({ file });
    const ledgerFile = join(dir, 'ledger.sqlite');
    const store = SqliteLedgerStore.open(ledgerFile);
    const key = loadSigningKey({ dataDir: dir });
    try {
      const workload = generateWorkload({ seed: 5, agreements: 40, processes: 10 });
      await appendWorkload(events, workload.slice(0, 250));
      await new LedgerKeeper(events, store).catchUp();
      await new HeadSigner({ store, key, intervalMs: 0 }).signNow();
      await appendWorkload(events, workload.slice(250, 260));
      const size = store.size();
      const options = { eventStore: events, store, ledgerFile, key, threads: 3, threadedFrom: 0 };

      const clean = await verifyLedger(options);
      expect(clean).toMatchObject({ ok: true, leavesChecked: size, headsChecked: 1, failures: [] });
      expect(clean.eventsBeyondTree).toBeGreaterThan(0);

      // A value changed in the last range: named; then an event removed in the second range as well: that one is named.
      const all = await events.readAll();
      const db = new Database(file);
      const late = all[size - 3];
      db.prepare(`UPDATE events SET data = replace(data, ':"', ':"x') WHERE position = ?`).run(Number(late.position));
      const lateOnly = await verifyLedger(options);
      expect(lateOnly.ok).toBe(false);
      expect(lateOnly.failures[0]).toContain(`leaf ${size - 3}: event ${late.eventId}`);
      expect(lateOnly.leavesChecked).toBe(size - 3);
      const middle = all[Math.floor(size / 2)];
      db.prepare('DELETE FROM events WHERE position = ?').run(Number(middle.position));
      db.close();
      const caught = await verifyLedger(options);
      expect(caught.ok).toBe(false);
      expect(caught.failures[0]).toContain(middle.eventId);
      expect(caught.leavesChecked).toBe(Math.floor(size / 2));
    } finally {
      store.close();
      await events.close();
    }
  });
});
