import { type AgreementState, agreementView, processView } from '@agreements/domain';
import { currentAgreement, statusIntervals } from '../folding/agreement-instants';
import { presentProcess } from '../folding/process-presentation';
import type { ReadModelStore } from '../store/read-model-store';
import type { GenerationTables } from '../store/schema';
import type { BulkColumnType, Db } from '../store/sql';
import type { AgreementEntry, ProcessEntry, StreamEntry } from './stream-cache';

type BulkColumns = ReadonlyArray<readonly [string, BulkColumnType]>;

// The derived tables' columns, in the order the rows below hold their values, with their types (Sql.insertBulk).
const AGREEMENT_COLUMNS: BulkColumns = [['agreement_id', 'text'], ['revision', 'integer'], ['status', 'text'], ['kind', 'text'], ['process_id', 'text'], ['view', 'text']];
const PARTY_COLUMNS: BulkColumns = [['party_id', 'text'], ['agreement_id', 'text']];
const INTERVAL_COLUMNS: BulkColumns = [['agreement_id', 'text'], ['seq', 'integer'], ['status', 'text'], ['from_at', 'text'], ['to_at', 'text'], ['event_id', 'text']];
const PROCESS_COLUMNS: BulkColumns = [['process_id', 'text'], ['revision', 'integer'], ['status', 'text'], ['view', 'text']];
const WORKING_GROUP_COLUMNS: BulkColumns = [['agreement_id', 'text'], ['process_id', 'text'], ['seq', 'integer'], ['working_group_id', 'text'], ['name', 'text'], ['status', 'text']];
/** The links table's columns (materialize.ts writes its rows). */
export const LINK_COLUMNS: BulkColumns = [['agreement_id', 'text'], ['process_id', 'text']];

/** The rows derived from streams' states, and which streams' old rows they replace. */
export interface DerivedRows {
  agreements: unknown[][];
  parties: unknown[][];
  intervals: unknown[][];
  processes: unknown[][];
  workingGroups: unknown[][];
  /** Agreements whose parties and intervals are replaced. */
  agreementsToClear: string[];
  /** Agreements that no longer exist (a retracted drafting). */
  agreementsGone: string[];
  processesToClear: string[];
  processesGone: string[];
}

/**
 * The rows derived from each stream's state: views, parties, status intervals, working groups.
 * `hasRows` says whether the stream may already have rows (which are then replaced).
 */
export function derivedRowsOf(entries: readonly StreamEntry[], hasRows: (streamId: string) => boolean): DerivedRows {
  const rows: DerivedRows = {
    agreements: [],
    parties: [],
    intervals: [],
    processes: [],
    workingGroups: [],
    agreementsToClear: [],
    agreementsGone: [],
    processesToClear: [],
    processesGone: [],
  };
  for (const entry of entries) {
    const existing = hasRows(entry.streamId);
    if (entry.kind === 'agreement') {
      if (existing) rows.agreementsToClear.push(entry.id);
      const derived = agreementRowsOf(entry);
      if (!derived) {
        if (existing) rows.agreementsGone.push(entry.id);
        continue;
      }
      rows.agreements.push(derived.agreement);
      for (const row of derived.parties) rows.parties.push(row);
      for (const row of derived.intervals) rows.intervals.push(row);
    } else {
      if (existing) rows.processesToClear.push(entry.id);
      const derived = processRowsOf(entry);
      if (!derived) {
        if (existing) rows.processesGone.push(entry.id);
        continue;
      }
      rows.processes.push(derived.process);
      for (const row of derived.workingGroups) rows.workingGroups.push(row);
    }
  }
  return rows;
}

/** Writes the rows derived from streams' states (replacing those they had). */
export async function writeDerivedRows(
  store: ReadModelStore,
  db: Db,
  tables: GenerationTables,
  entries: readonly StreamEntry[],
  hasRows: (streamId: string) => boolean,
): Promise<void> {
  await writeDerivedRowSet(store, db, tables, derivedRowsOf(entries, hasRows));
}

export async function writeDerivedRowSet(store: ReadModelStore, db: Db, tables: GenerationTables, rows: DerivedRows): Promise<void> {
  const { sql } = store;
  // Rows derived from a stream are replaced as a whole: simpler than diffing, and each touched
  // stream costs one delete per table whatever changed.
  await sql.deleteIn(db, tables.parties, 'agreement_id', rows.agreementsToClear);
  await sql.deleteIn(db, tables.intervals, 'agreement_id', rows.agreementsToClear);
  await sql.deleteIn(db, tables.agreements, 'agreement_id', rows.agreementsGone);
  await sql.deleteIn(db, tables.workingGroups, 'process_id', rows.processesToClear);
  await sql.deleteIn(db, tables.processes, 'process_id', rows.processesGone);

  await sql.insertBulk(db, tables.agreements, AGREEMENT_COLUMNS, rows.agreements,
    `ON CONFLICT (agreement_id) DO UPDATE SET revision = excluded.revision, status = excluded.status, kind = excluded.kind,
       process_id = excluded.process_id, view = excluded.view`,
  );
  await sql.insertBulk(db, tables.parties, PARTY_COLUMNS, rows.parties);
  await sql.insertBulk(db, tables.intervals, INTERVAL_COLUMNS, rows.intervals);
  await sql.insertBulk(db, tables.processes, PROCESS_COLUMNS, rows.processes,
    'ON CONFLICT (process_id) DO UPDATE SET revision = excluded.revision, status = excluded.status, view = excluded.view',
  );
  await sql.insertBulk(db, tables.workingGroups, WORKING_GROUP_COLUMNS, rows.workingGroups);
}

function agreementRowsOf(entry: AgreementEntry): { agreement: unknown[]; parties: unknown[][]; intervals: unknown[][] } | undefined {
  const state: AgreementState = { revision: entry.revision, streamId: entry.streamId, agreement: currentAgreement(entry.instants) };
  const view = agreementView(state, entry.id);
  if (!view) return undefined;
  const parties = partyRowIds(view.parties).map((partyId) => [partyId, entry.id]);
  const intervals = statusIntervals(entry.instants).map((interval, seq) => [
    entry.id,
    seq,
    interval.value,
    new Date(interval.from).toISOString(),
    interval.to === null ? null : new Date(interval.to).toISOString(),
    interval.event.eventId,
  ]);
  return { agreement: [entry.id, entry.revision, view.status, view.kind, view.processId, JSON.stringify(view)], parties, intervals };
}

function processRowsOf(entry: ProcessEntry): { process: unknown[]; workingGroups: unknown[][] } | undefined {
  const view = processView(entry.state, entry.id);
  if (!view) return undefined;
  const workingGroups: unknown[][] = [];
  view.workingGroups.forEach((group, seq) => {
    for (const agreementId of new Set(group.agreementIds)) {
      workingGroups.push([agreementId, entry.id, seq, group.workingGroupId, group.name, group.status]);
    }
  });
  return { process: [entry.id, entry.revision, view.status, JSON.stringify(presentProcess(view))], workingGroups };
}

/** The ids `party=` finds an agreement by: each party's, and its members' when it is a group (a member is matched through its group). */
export function partyRowIds(parties: ReadonlyArray<{ id: string; members?: ReadonlyArray<{ id: string }> }>): string[] {
  const ids = new Set<string>();
  for (const party of parties) {
    ids.add(party.id);
    for (const member of party.members ?? []) ids.add(member.id);
  }
  return [...ids];
}
