import type { StoredEvent } from '../folding/stored-event';
import type { ReadModelStore } from '../store/read-model-store';
import type { GenerationTables } from '../store/schema';
import type { Db } from '../store/sql';
import { EVENT_COLUMNS } from '../store/stream-events';
import type { StreamWork } from './stream-work';

/**
 * The copy of each event, and the process-agreement links working groups make. `keyed`: the
 * copy's (stream_id, revision) index exists, so a row already there is skipped rather than
 * duplicated (a rebuild's load writes each event once into an empty copy without it).
 */
export async function writeEventRows(store: ReadModelStore, db: Db, tables: GenerationTables, work: readonly StreamWork[], keyed: boolean): Promise<void> {
  const { sql } = store;
  const eventRows: unknown[][] = [];
  const linkRows: unknown[][] = [];
  for (const stream of work) {
    for (const row of stream.rows) eventRows.push(row as unknown as unknown[]);
    if (stream.kind === 'process') {
      for (const event of stream.events) for (const agreementId of agreementIdsNamedBy(event)) linkRows.push([agreementId, stream.id]);
    }
  }
  await sql.insertMany(db, tables.events, EVENT_COLUMNS, eventRows, keyed ? 'ON CONFLICT (stream_id, revision) DO NOTHING' : '');
  await sql.insertMany(db, tables.links, ['agreement_id', 'process_id'], dedupe(linkRows), 'ON CONFLICT (agreement_id, process_id) DO NOTHING');
}

/**
 * The agreements a process event names as served by a working group, in the event as recorded
 * or as a correction would make it. Every process that ever named an agreement is linked to it,
 * so an answer asOf / knownAt any time can find the working groups serving it then.
 */
export function agreementIdsNamedBy(event: StoredEvent): string[] {
  if (event.type === 'WorkingGroupFormed') return stringList(event.data.agreementIds);
  if (event.type === 'EventCorrected') return stringList(event.data.data?.agreementIds);
  return [];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

export function dedupe(rows: unknown[][]): unknown[][] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = row.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
