// Test support (excluded from the build): every row of the active generation, in a fixed order,
// to compare two read-model stores (live vs rebuilt, crashed vs clean).
import type { ReadModelStore } from '../store/read-model-store';
import { generationTables } from '../store/schema';

export interface ReadModelDump {
  checkpoint: string | undefined;
  tables: Record<string, unknown[]>;
}

export async function dumpReadModels(store: ReadModelStore): Promise<ReadModelDump> {
  const { generation, checkpoint } = await store.activeCheckpoint();
  const t = generationTables(generation);
  const order: Array<[string, string, string]> = [
    ['events', t.events, 'stream_id, revision'],
    ['agreements', t.agreements, 'agreement_id'],
    ['parties', t.parties, 'party_id, agreement_id'],
    ['intervals', t.intervals, 'agreement_id, seq'],
    ['processes', t.processes, 'process_id'],
    ['workingGroups', t.workingGroups, 'agreement_id, process_id, seq'],
    ['links', t.links, 'agreement_id, process_id'],
  ];
  const tables: Record<string, unknown[]> = {};
  for (const [name, table, orderBy] of order) {
    const rows = await store.sql.all<Record<string, unknown>>(store.reader, `SELECT * FROM ${table} ORDER BY ${orderBy}`);
    // Integers come back as numbers from SQLite and sometimes as strings from PostgreSQL.
    tables[name] = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  }
  return { checkpoint, tables };
}
