import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { canonicalJson, EsdbEventStore } from '@agreements/event-store';
import { EsdbTestServer } from '../../../event-store/src/esdb/test-server/esdb-test-server';
import { appendWorkload, generateWorkload } from '../../../read-models/src/testing/workload';
import { verifyConsistency, verifyInclusion } from '../merkle/verification';
import { consistencyPath, inclusionPath } from '../merkle/proofs';
import { SqliteLedgerStore } from '../store/sqlite-ledger-store';
import { LedgerKeeper } from './ledger-keeper';

// The keeper on EventStoreDB (the repository's test server), through the port's readAll: one
// leaf per event in global order, with EventStoreDB's commit/prepare positions in the leaves, and
// proofs that verify. Roots differ from a SQLite log of the same events: positions are hashed.

const sha256 = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

describe('the ledger keeper on EventStoreDB', () => {
  let server: EsdbTestServer;
  let dir: string;
  beforeAll(async () => {
    server = new EsdbTestServer();
    await server.start();
    dir = mkdtempSync(join(tmpdir(), 'ledger-esdb-'));
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('follows the log through readAll, resumes after its last position, and its proofs verify', async () => {
    const events = await EsdbEventStore.connect(server.connectionString);
    const ledger = SqliteLedgerStore.open(join(dir, 'ledger.sqlite'));
    try {
      const workload = generateWorkload({ seed: 3, agreements: 8, processes: 2 });
      await appendWorkload(events, workload.slice(0, 30), 10);
      const keeper = new LedgerKeeper(events, ledger, { batchSize: 13 });
      const first = await keeper.catchUp();
      await appendWorkload(events, workload.slice(30), 10);
      const second = await keeper.catchUp();
      await keeper.stop();

      const all = await events.readAll();
      expect(first + second).toBe(all.length);
      expect(ledger.size()).toBe(all.length);
      expect(ledger.leaves(0, all.length).map((l) => l.eventId)).toEqual(all.map((e) => e.eventId));
      expect(all[0].position).toMatch(/\//);
      // Leaf hashes from the events as EventStoreDB returns them, computed here.
      for (const [i, event] of all.entries()) {
        const leaf = {
          eventId: event.eventId,
          streamId: event.streamId,
          revision: event.revision,
          position: event.position,
          type: event.type,
          schemaVersion: event.metadata.schemaVersion,
          data: event.data,
          metadata: {
            actor: event.metadata.actor,
            recordedAt: event.recordedAt,
            occurredAt: event.metadata.occurredAt,
            sources: event.metadata.sources,
            commandId: event.metadata.commandId,
            correlationId: event.metadata.correlationId,
            causationId: event.metadata.causationId,
          },
        };
        expect(ledger.subtree(0, i).equals(sha256(Buffer.from([0]), Buffer.from(canonicalJson(leaf))))).toBe(true);
      }
      const n = all.length;
      const root = ledger.root();
      for (let m = 0; m < n; m += 7) expect(verifyInclusion(m, n, ledger.subtree(0, m), inclusionPath(ledger, m, n), root)).toBe(true);
      expect(verifyConsistency(first, n, ledger.root(first), root, consistencyPath(ledger, first, n))).toBe(true);
    } finally {
      ledger.close();
      await events.close();
    }
  });
});
