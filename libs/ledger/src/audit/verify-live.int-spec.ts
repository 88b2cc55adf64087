import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@agreements/event-store';
import { appendWorkload, generateWorkload } from '../../../read-models/src/testing/workload';
import { HeadSigner } from '../heads/head-signer';
import { loadSigningKey } from '../heads/signing-key';
import { LedgerKeeper } from '../keeper/ledger-keeper';
import { SqliteLedgerStore } from '../store/sqlite-ledger-store';
import { verifyLive } from './verify-live';

// `verify` on the embedded store whose rows were written three ways: canonical (this version),
// as an older version wrote them (members in the order built, or spaced out), the fast path and
// the slow one side by side; and a changed byte in a row of each kind.

describe('verify with stored texts canonical or not', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'verify-live-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('passes rows an older version wrote (slow path) beside canonical ones (fast path), and names a changed byte in either', async () => {
    const file = join(dir, 'events.sqlite');
    const events = await SqliteEventStore.open({ file });
    const store = SqliteLedgerStore.open(join(dir, 'ledger.sqlite'));
    const key = loadSigningKey({ dataDir: dir });
    try {
      await appendWorkload(events, generateWorkload({ seed: 3, agreements: 20, processes: 5 }).slice(0, 120));
      await new LedgerKeeper(events, store).catchUp();
      await new HeadSigner({ store, key, intervalMs: 0 }).signNow();
      const size = store.size();
      const db = new Database(file);
      const rows = db.prepare('SELECT position, event_id, data, metadata FROM events ORDER BY position').all() as Array<{
        position: number;
        event_id: string;
        data: string;
        metadata: string;
      }>;
      // The store wrote canonical member order: sorted names, no whitespace.
      expect(rows.every((row) => row.data === JSON.stringify(JSON.parse(row.data)) && row.metadata.startsWith('{"actor"'))).toBe(true);

      // Every third row rewritten as an older version would have written it: members reversed, spaced.
      const reversed = (text: string): string => JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text)).reverse()), null, 1);
      const rewrite = db.prepare('UPDATE events SET data = ?, metadata = ? WHERE position = ?');
      for (let i = 0; i < rows.length; i += 3) rewrite.run(reversed(rows[i].data), reversed(rows[i].metadata), rows[i].position);
      expect(await verifyLive({ eventStore: events, store, key })).toMatchObject({ ok: true, leavesChecked: size, failures: [] });

      // One byte of a value changed, in a canonical row and then in an older-format row before it.
      // (a string value gets an x in front, after `:"` in canonical text, after `: "` in spaced text)
      const changeAValue = db.prepare(`UPDATE events SET data = replace(replace(data, ': "', ': "x'), ':"', ':"x') WHERE position = ?`);
      const canonicalRow = rows[size - 2];
      changeAValue.run(canonicalRow.position);
      const late = await verifyLive({ eventStore: events, store, key });
      expect(late.ok).toBe(false);
      expect(late.failures[0]).toContain(`leaf ${size - 2}: event ${canonicalRow.event_id}`);
      const olderRow = rows[30];
      const before = (db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(olderRow.position) as string);
      changeAValue.run(olderRow.position);
      expect(db.prepare('SELECT data FROM events WHERE position = ?').pluck().get(olderRow.position)).not.toBe(before);
      db.close();
      const early = await verifyLive({ eventStore: events, store, key });
      expect(early.failures[0]).toContain(`leaf 30: event ${olderRow.event_id}`);
      expect(early.leavesChecked).toBe(30);
    } finally {
      store.close();
      await events.close();
    }
  });
});
