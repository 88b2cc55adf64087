import {
  agreementView,
  applyCorrections,
  isCorrectionEvent,
  parseStreamId,
  processView,
  type StreamKind,
} from '@agreements/domain';
import type { RecordedEvent } from '@agreements/event-store';
import { addEvent, buildInstants, currentAgreement, type Instants, statusIntervals } from '../folding/agreement-instants';
import { applyProcessEvent, foldProcessEvents } from '../folding/domain-fold';
import { presentProcess } from '../folding/process-presentation';
import { type StoredEvent, toStoredEvent } from '../folding/stored-event';
import type { ReadModelStore } from '../store/read-model-store';
import { type GenerationTables, generationTables } from '../store/schema';
import type { Db } from '../store/sql';
import { EVENT_COLUMNS, type EventRowValues, readStreamEvents, toRowValues } from '../store/stream-events';
import type { AgreementEntry, ProcessEntry, StreamCache, StreamEntry } from './stream-cache';

export type PositionComparator = (a: string, b: string) => number;

export interface BatchTarget {
  generation: number;
  /**
   * live: the batch applies only while this generation is the active one (a rebuild may have
   * switched generations meanwhile). rebuild: the generation must still be building.
   */
  mode: 'live' | 'rebuild';
}

export type BatchOutcome =
  | {
      kind: 'applied';
      /** Events newer than the checkpoint (all of them count, projected or not). */
      applied: number;
      /** Events at or before the checkpoint found in the batch (applied before, by this or another projector). */
      skipped: number;
      checkpoint: string | undefined;
      lastRecordedAt: string | undefined;
    }
  | { kind: 'generation-changed'; activeGeneration: number };

export interface BatchHooks {
  /** Test support: runs after every write of the batch, before COMMIT. */
  beforeCommit?: (info: { events: number; checkpoint: string }) => Promise<void> | void;
}

interface StreamWork {
  streamId: string;
  kind: StreamKind;
  id: string;
  events: StoredEvent[];
  /** The same events as rows of the event copy. */
  rows: EventRowValues[];
}

/**
 * Applies a batch of events (in global order) to one generation, in one transaction with its
 * checkpoint. Events at or before the checkpoint are skipped, so a batch seen twice (a crash
 * after commit, two projectors) changes nothing. Each touched stream is folded once and each of
 * its rows written once, in multi-row statements.
 */
export async function applyBatch(
  store: ReadModelStore,
  target: BatchTarget,
  batch: readonly RecordedEvent[],
  cache: StreamCache,
  compare: PositionComparator,
  hooks: BatchHooks = {},
): Promise<BatchOutcome> {
  let installed: StreamEntry[] = [];
  const outcome = await store.writeTransaction(async (db) => {
    const active = await store.lockState(db);
    if (target.mode === 'live' && active !== target.generation) return { kind: 'generation-changed' as const, activeGeneration: active };
    const applied = await applyBatchWithin(store, db, target, batch, cache, compare, hooks);
    installed = applied.entries;
    return applied.outcome;
  });
  // Only once committed: the cache never holds a state the database does not.
  if (outcome.kind === 'applied') cache.install(installed, outcome.checkpoint);
  return outcome;
}

/**
 * The work of applyBatch inside a transaction the caller holds (with the state locked). Returns
 * the new stream states for the caller to install in the cache once it commits.
 */
export async function applyBatchWithin(
  store: ReadModelStore,
  db: Db,
  target: BatchTarget,
  batch: readonly RecordedEvent[],
  cache: StreamCache,
  compare: PositionComparator,
  hooks: BatchHooks = {},
): Promise<{ outcome: Extract<BatchOutcome, { kind: 'applied' }>; entries: StreamEntry[] }> {
  const tables = generationTables(target.generation);
  const generation = await store.generationInfo(target.generation, db);
  if (!generation) throw new Error(`read-model generation ${target.generation} does not exist (dropped by a rebuild?)`);
  if (target.mode === 'rebuild' && generation.status !== 'building') {
    throw new Error(`read-model generation ${target.generation} is ${generation.status}, not building: another rebuild took over?`);
  }
  const checkpoint = generation.checkpoint;
  // Someone else (another projector, a rebuild) moved this generation on: what this cache
  // remembers may be stale.
  if (checkpoint !== cache.checkpoint) cache.reset(checkpoint);

  const fresh = checkpoint === undefined ? batch : batch.filter((event) => compare(event.position, checkpoint) > 0);
  if (fresh.length === 0) {
    return { outcome: { kind: 'applied', applied: 0, skipped: batch.length, checkpoint, lastRecordedAt: generation.lastRecordedAt }, entries: [] };
  }

  const work = groupByStream(fresh);
  const entries = await foldStreams(work, cache, (streams) =>
    readStreamEvents(
      store.sql,
      db,
      tables,
      streams.map((stream) => stream.streamId),
    ),
  );
  await writeEventRows(store, db, tables, work, true);
  await writeDerivedRows(store, db, tables, entries, (streamId) => !cache.isKnownNew(streamId));

  const last = fresh[fresh.length - 1];
  await store.sql.run(
    db,
    `UPDATE rm_generations SET checkpoint = ?, last_recorded_at = ?, events_applied = events_applied + ?, updated_at = ?
      WHERE generation = ?`,
    [last.position, last.recordedAt, fresh.length, new Date().toISOString(), target.generation],
  );
  if (hooks.beforeCommit) await hooks.beforeCommit({ events: fresh.length, checkpoint: last.position });
  return {
    outcome: { kind: 'applied', applied: fresh.length, skipped: batch.length - fresh.length, checkpoint: last.position, lastRecordedAt: last.recordedAt },
    entries,
  };
}

function groupByStream(events: readonly RecordedEvent[]): StreamWork[] {
  const byStream = new Map<string, StreamWork>();
  for (const recorded of events) {
    let work = byStream.get(recorded.streamId);
    if (work === undefined) {
      // Streams of other kinds (none today) are not read models' business; their events still
      // move the checkpoint.
      const parsed = parseStreamId(recorded.streamId);
      if (!parsed) continue;
      work = { streamId: recorded.streamId, kind: parsed.kind, id: parsed.id, events: [], rows: [] };
      byStream.set(recorded.streamId, work);
    }
    const event = toStoredEvent(recorded);
    work.events.push(event);
    work.rows.push(toRowValues(recorded.streamId, event));
  }
  return [...byStream.values()];
}

/**
 * The stored events of these streams that come before the batch's (at least those; later ones
 * are ignored), by stream id.
 */
type StreamLoader = (streams: readonly StreamWork[]) => Promise<Map<string, StoredEvent[]>>;

/**
 * The new state of every touched stream: its new events applied to the cached state, or, when
 * that cannot be done (not cached, a correction, an event taking effect before the instants kept
 * in memory), folded again from all its events.
 */
async function foldStreams(work: readonly StreamWork[], cache: StreamCache, load: StreamLoader): Promise<StreamEntry[]> {
  const entries = new Map<string, StreamEntry>();
  const toRefold: StreamWork[] = [];
  const toLoad: StreamWork[] = [];
  for (const stream of work) {
    const entry = cache.get(stream.streamId);
    if (entry) {
      // An event the stream already has (revision not newer) was applied before: nothing to do.
      const news = stream.events.filter((event) => event.revision > entry.revision);
      if (news.length === 0) {
        entries.set(stream.streamId, entry);
        continue;
      }
      const applied = news.some((event) => isCorrectionEvent(event.type)) ? undefined : applyIncrementally(entry, news);
      if (applied) {
        entries.set(stream.streamId, applied);
        continue;
      }
    }
    toRefold.push(stream);
    if (!cache.isKnownNew(stream.streamId)) toLoad.push(stream);
  }
  const loaded = toLoad.length > 0 ? await load(toLoad) : new Map<string, StoredEvent[]>();
  for (const stream of toRefold) {
    const first = stream.events[0].revision;
    const stored = (loaded.get(stream.streamId) ?? []).filter((event) => event.revision < first);
    entries.set(stream.streamId, foldFromScratch(stream, [...stored, ...stream.events]));
  }
  return work.map((stream) => entries.get(stream.streamId) as StreamEntry);
}

/** undefined when an event takes effect before the instants kept in memory. */
function applyIncrementally(entry: StreamEntry, news: readonly StoredEvent[]): StreamEntry | undefined {
  const revision = news[news.length - 1].revision;
  if (entry.kind === 'agreement') {
    let instants: Instants | undefined = entry.instants;
    for (const event of news) {
      instants = addEvent(instants, event);
      if (!instants) return undefined;
    }
    return { ...entry, revision, instants };
  }
  let process = entry.process;
  for (const event of news) process = applyProcessEvent(process, event);
  return { ...entry, revision, process };
}

/** A stream's state folded from all its events (in stream order). */
export function foldFromScratch(stream: Pick<StreamWork, 'streamId' | 'kind' | 'id'>, all: readonly StoredEvent[]): StreamEntry {
  const revision = all.length > 0 ? all[all.length - 1].revision : -1;
  const effective = applyCorrections(all);
  const base = { streamId: stream.streamId, id: stream.id, revision };
  if (stream.kind === 'agreement') return { ...base, kind: 'agreement', instants: buildInstants(effective) };
  return { ...base, kind: 'process', process: foldProcessEvents(effective) };
}

/**
 * The copy of each event, and the process-agreement links working groups make. `keyed`: the
 * copy's (stream_id, revision) index exists, so a row already there is skipped rather than
 * duplicated (a rebuild's load writes each event once into an empty copy without it).
 */
async function writeEventRows(store: ReadModelStore, db: Db, tables: GenerationTables, work: readonly StreamWork[], keyed: boolean): Promise<void> {
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

  await sql.insertMany(
    db,
    tables.agreements,
    ['agreement_id', 'revision', 'status', 'kind', 'process_id', 'view'],
    rows.agreements,
    `ON CONFLICT (agreement_id) DO UPDATE SET revision = excluded.revision, status = excluded.status, kind = excluded.kind,
       process_id = excluded.process_id, view = excluded.view`,
  );
  await sql.insertMany(db, tables.parties, ['party_id', 'agreement_id'], rows.parties);
  await sql.insertMany(db, tables.intervals, ['agreement_id', 'seq', 'status', 'from_at', 'to_at', 'event_id'], rows.intervals);
  await sql.insertMany(
    db,
    tables.processes,
    ['process_id', 'revision', 'status', 'view'],
    rows.processes,
    'ON CONFLICT (process_id) DO UPDATE SET revision = excluded.revision, status = excluded.status, view = excluded.view',
  );
  await sql.insertMany(db, tables.workingGroups, ['agreement_id', 'process_id', 'seq', 'working_group_id', 'name', 'status'], rows.workingGroups);
}

function agreementRowsOf(entry: AgreementEntry): { agreement: unknown[]; parties: unknown[][]; intervals: unknown[][] } | undefined {
  const agreement = currentAgreement(entry.instants);
  const view = agreementView({ revision: entry.revision, history: [], agreement }, entry.id);
  if (!view) return undefined;
  const parties = [...new Set(view.parties.map((party) => party.id))].map((partyId) => [partyId, entry.id]);
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
  const view = processView({ revision: entry.revision, history: [], process: entry.process }, entry.id);
  if (!view) return undefined;
  const workingGroups: unknown[][] = [];
  view.workingGroups.forEach((group, seq) => {
    for (const agreementId of new Set(group.agreementIds)) {
      workingGroups.push([agreementId, entry.id, seq, group.workingGroupId, group.name, group.status]);
    }
  });
  return { process: [entry.id, entry.revision, view.status, JSON.stringify(presentProcess(view))], workingGroups };
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


export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
