import { instantMillis, streamIdOf } from '@agreements/domain';
import type { AgreementFilter, Page, PageRequest, ReadModelQueries, TimeQuery, View } from '../read-model.port';
import type { ReadModelStore } from '../store/read-model-store';
import type { GenerationTables } from '../store/schema';
import { type Db, placeholders } from '../store/sql';
import { readStream, readStreamEvents } from '../store/stream-events';
import type { StoredEvent } from '../folding/stored-event';
import { decodeCursor, encodeCursor } from './cursor';
import { matchesListFilterAt, needsFoldedList } from './list-filter-at';
import {
  agreementViewAt,
  isCurrent,
  processViewAt,
  type ResolvedTime,
  resolveTime,
  timelineAt,
  type WorkingGroupRef,
  workingGroupsServing,
} from './time-views';

const MAX_LIMIT = 1_000;
/** Agreements folded per round of a list at a time. */
const CANDIDATE_BATCH = 200;
/**
 * Agreements a list at a time folds for one request at most. A filter that few agreements match
 * would otherwise fold the whole store in one request (7 s for 16,000 agreements here): past this
 * budget the page ends short, with a cursor after the last agreement looked at, and the client
 * asks on (docs/architecture.md, "Lists at a time").
 */
const SCAN_BUDGET = 1000;
const AGREEMENT_PREFIX_LENGTH = streamIdOf('agreement', '').length;

interface WorkingGroupRow {
  agreement_id: string;
  process_id: string;
  working_group_id: string;
  name: string;
  status: string;
}

/**
 * The queries the API asks. Current answers come from the materialised rows; asOf / knownAt
 * answers fold the read model's own copy of the stream (streams are short), with the domain's
 * fold and views.
 */
export class SqlReadModelQueries implements ReadModelQueries {
  constructor(private readonly store: ReadModelStore) {}

  async getAgreement(agreementId: string, time: TimeQuery = {}): Promise<View | undefined> {
    const resolved = resolveTime(time);
    return this.store.withActiveTables(async (tables, db) => {
      if (isCurrent(resolved)) {
        const row = await this.store.sql.first<{ view: string }>(db, `SELECT view FROM ${tables.agreements} WHERE agreement_id = ?`, [agreementId]);
        if (!row) return undefined;
        const workingGroups = (await this.currentWorkingGroups(db, tables, [agreementId])).get(agreementId) ?? [];
        return { ...JSON.parse(row.view), workingGroups, asOf: null, knownAt: null };
      }
      const events = await readStream(this.store.sql, db, tables, streamIdOf('agreement', agreementId));
      if (events.length === 0) return undefined;
      const workingGroups = await this.workingGroupsAt(db, tables, agreementId, resolved);
      return agreementViewAt(agreementId, events, resolved, workingGroups);
    });
  }

  async getAgreementTimeline(agreementId: string, time: TimeQuery = {}): Promise<View | undefined> {
    const resolved = resolveTime(time);
    return this.store.withActiveTables(async (tables, db) => {
      const events = await readStream(this.store.sql, db, tables, streamIdOf('agreement', agreementId));
      if (events.length === 0) return undefined;
      return timelineAt(agreementId, events, resolved);
    });
  }

  async listAgreements(filter: AgreementFilter, page: PageRequest): Promise<Page<View>> {
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined || page.cursor === '' ? undefined : decodeCursor('agreements', page.cursor);
    const time = resolveTime(filter);
    if (needsFoldedList(filter, time)) return this.listAgreementsAt(filter, time, limit, after);
    // The end of the period inForceOn names, as asOf reads it.
    const inForceAt = filter.inForceOn ? new Date(instantMillis(filter.inForceOn)).toISOString() : undefined;
    return this.store.withActiveTables(async (tables, db) => {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.status) {
        where.push('a.status = ?');
        params.push(filter.status);
      }
      if (filter.kind) {
        where.push('a.kind = ?');
        params.push(filter.kind);
      }
      if (filter.processId) {
        where.push('a.process_id = ?');
        params.push(filter.processId);
      }
      if (filter.party) {
        where.push(`EXISTS (SELECT 1 FROM ${tables.parties} p WHERE p.party_id = ? AND p.agreement_id = a.agreement_id)`);
        params.push(filter.party);
      }
      if (inForceAt) {
        where.push(
          `EXISTS (SELECT 1 FROM ${tables.intervals} i WHERE i.agreement_id = a.agreement_id AND i.status = 'in-force'
             AND i.from_at <= ? AND (i.to_at IS NULL OR i.to_at > ?))`,
        );
        params.push(inForceAt, inForceAt);
      }
      if (after !== undefined) {
        where.push('a.agreement_id > ?');
        params.push(after);
      }
      params.push(limit + 1);
      const rows = await this.store.sql.all<{ agreement_id: string; view: string }>(
        db,
        `SELECT a.agreement_id, a.view FROM ${tables.agreements} a
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY a.agreement_id LIMIT ?`,
        params,
      );
      const pageRows = rows.slice(0, limit);
      return {
        items: await this.withCurrentWorkingGroups(db, tables, pageRows),
        nextCursor: rows.length > limit ? encodeCursor('agreements', pageRows[pageRows.length - 1].agreement_id) : null,
      };
    });
  }

  /**
   * The list as the agreements stood asOf / as known at knownAt, or by boundParty: candidates in id
   * order, narrowed in SQL only where it is sound at any time (a party or bound party must be
   * named by some event of the stream), each folded from the event copy and filtered
   * (matchesListFilterAt), until a page and one more are found. Costs a fold per candidate.
   */
  private async listAgreementsAt(filter: AgreementFilter, time: ResolvedTime, limit: number, after: string | undefined): Promise<Page<View>> {
    return this.store.withActiveTables(async (tables, db) => {
      const matches: Array<{ agreementId: string; events: StoredEvent[] }> = [];
      let from = after;
      let scanned = 0;
      /** Set when the scan budget ran out before the store did: the page ends there. */
      let stoppedAfter: string | undefined;
      while (matches.length <= limit) {
        if (scanned >= SCAN_BUDGET) {
          stoppedAfter = from;
          break;
        }
        const candidates = await this.candidateIds(db, tables, filter, from);
        if (candidates.length === 0) break;
        scanned += candidates.length;
        const streams = await readStreamEvents(
          this.store.sql,
          db,
          tables,
          candidates.map((agreementId) => streamIdOf('agreement', agreementId)),
        );
        for (const agreementId of candidates) {
          const events = streams.get(streamIdOf('agreement', agreementId)) ?? [];
          if (matches.length <= limit && matchesListFilterAt(events, filter, time)) matches.push({ agreementId, events });
        }
        if (candidates.length < CANDIDATE_BATCH) break;
        from = candidates[candidates.length - 1];
        // A list that matches few agreements folds many: let other requests (and the health
        // snapshot) run between batches rather than after the whole scan.
        await new Promise((resolve) => setImmediate(resolve));
      }
      const pageMatches = matches.slice(0, limit);
      const items: View[] = [];
      if (isCurrent(time)) {
        // boundParty alone: the current views, exactly as the fast path shows them.
        items.push(...(await this.currentViews(db, tables, pageMatches.map((match) => match.agreementId))));
      } else {
        for (const { agreementId, events } of pageMatches) {
          const view = agreementViewAt(agreementId, events, time, await this.workingGroupsAt(db, tables, agreementId, time));
          if (view) items.push(view);
        }
      }
      const nextCursor =
        matches.length > limit
          ? encodeCursor('agreements', pageMatches[pageMatches.length - 1].agreementId)
          : stoppedAfter !== undefined
            ? encodeCursor('agreements', stoppedAfter)
            : null;
      return { items, nextCursor };
    });
  }

  /**
   * The next agreement ids after `after` that may match: from the event copy (an agreement whose
   * drafting was later retracted has no current row, yet existed as known before), every one, or
   * those with an event naming the party (as a JSON string).
   */
  private async candidateIds(db: Db, tables: GenerationTables, filter: AgreementFilter, after: string | undefined): Promise<string[]> {
    // Agreement stream ids, in id order: the range after 'agreement-' and before 'agreement.' ('.' follows '-').
    const where = ['e.stream_id > ?', 'e.stream_id < ?'];
    const params: unknown[] = [streamIdOf('agreement', after ?? ''), 'agreement.'];
    const named = [filter.party, filter.boundParty].filter((partyId): partyId is string => partyId !== undefined);
    named.forEach((partyId, i) => {
      // The first on the scanned rows themselves, any other on some event of the same stream.
      where.push(
        i === 0 ? `e.data LIKE ? ESCAPE '\\'` : `EXISTS (SELECT 1 FROM ${tables.events} n WHERE n.stream_id = e.stream_id AND n.data LIKE ? ESCAPE '\\')`,
      );
      params.push(`%${likeEscaped(JSON.stringify(partyId))}%`);
    });
    params.push(CANDIDATE_BATCH);
    const rows = await this.store.sql.all<{ stream_id: string }>(
      db,
      `SELECT DISTINCT e.stream_id FROM ${tables.events} e WHERE ${where.join(' AND ')} ORDER BY e.stream_id LIMIT ?`,
      params,
    );
    return rows.map((row) => row.stream_id.slice(AGREEMENT_PREFIX_LENGTH));
  }

  async getProcess(processId: string, time: TimeQuery = {}): Promise<View | undefined> {
    const resolved = resolveTime(time);
    return this.store.withActiveTables(async (tables, db) => {
      if (isCurrent(resolved)) {
        const row = await this.store.sql.first<{ view: string }>(db, `SELECT view FROM ${tables.processes} WHERE process_id = ?`, [processId]);
        return row ? { ...JSON.parse(row.view), asOf: null, knownAt: null } : undefined;
      }
      const events = await readStream(this.store.sql, db, tables, streamIdOf('process', processId));
      if (events.length === 0) return undefined;
      return processViewAt(processId, events, resolved);
    });
  }

  async listProcesses(page: PageRequest): Promise<Page<View>> {
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined || page.cursor === '' ? undefined : decodeCursor('processes', page.cursor);
    return this.store.withActiveTables(async (tables, db) => {
      const rows = await this.store.sql.all<{ process_id: string; view: string }>(
        db,
        `SELECT process_id, view FROM ${tables.processes} ${after !== undefined ? 'WHERE process_id > ?' : ''}
         ORDER BY process_id LIMIT ?`,
        after !== undefined ? [after, limit + 1] : [limit + 1],
      );
      const pageRows = rows.slice(0, limit);
      return {
        items: pageRows.map((row) => ({ ...JSON.parse(row.view), asOf: null, knownAt: null })),
        nextCursor: rows.length > limit ? encodeCursor('processes', pageRows[pageRows.length - 1].process_id) : null,
      };
    });
  }

  async checkpoint(): Promise<string | undefined> {
    return (await this.store.activeCheckpoint()).checkpoint;
  }

  /** The current views of these agreements, in the order given. */
  private async currentViews(db: Db, tables: GenerationTables, agreementIds: string[]): Promise<View[]> {
    if (agreementIds.length === 0) return [];
    const rows = await this.store.sql.all<{ agreement_id: string; view: string }>(
      db,
      `SELECT agreement_id, view FROM ${tables.agreements} WHERE agreement_id IN (${placeholders(agreementIds.length)})`,
      agreementIds,
    );
    const byId = new Map(rows.map((row) => [row.agreement_id, row]));
    return this.withCurrentWorkingGroups(
      db,
      tables,
      agreementIds.flatMap((agreementId) => byId.get(agreementId) ?? []),
    );
  }

  private async withCurrentWorkingGroups(db: Db, tables: GenerationTables, rows: Array<{ agreement_id: string; view: string }>): Promise<View[]> {
    const workingGroups = await this.currentWorkingGroups(
      db,
      tables,
      rows.map((row) => row.agreement_id),
    );
    return rows.map((row) => ({
      ...JSON.parse(row.view),
      workingGroups: workingGroups.get(row.agreement_id) ?? [],
      asOf: null,
      knownAt: null,
    }));
  }

  /** The working groups serving each agreement now, in process then formation order. */
  private async currentWorkingGroups(db: Db, tables: GenerationTables, agreementIds: string[]): Promise<Map<string, WorkingGroupRef[]>> {
    const result = new Map<string, WorkingGroupRef[]>();
    if (agreementIds.length === 0) return result;
    const rows = await this.store.sql.all<WorkingGroupRow>(
      db,
      `SELECT agreement_id, process_id, working_group_id, name, status FROM ${tables.workingGroups}
        WHERE agreement_id IN (${placeholders(agreementIds.length)}) ORDER BY agreement_id, process_id, seq`,
      agreementIds,
    );
    for (const row of rows) {
      let list = result.get(row.agreement_id);
      if (!list) {
        list = [];
        result.set(row.agreement_id, list);
      }
      list.push({ workingGroupId: row.working_group_id, name: row.name, processId: row.process_id, status: row.status });
    }
    return result;
  }

  /** The working groups serving the agreement as of / as known at the time, from every process that ever named it. */
  private async workingGroupsAt(db: Db, tables: GenerationTables, agreementId: string, time: ResolvedTime): Promise<WorkingGroupRef[]> {
    const links = await this.store.sql.all<{ process_id: string }>(
      db,
      `SELECT process_id FROM ${tables.links} WHERE agreement_id = ? ORDER BY process_id`,
      [agreementId],
    );
    if (links.length === 0) return [];
    const processIds = links.map((link) => link.process_id);
    const streams = await readStreamEvents(
      this.store.sql,
      db,
      tables,
      processIds.map((processId) => streamIdOf('process', processId)),
    );
    const result: WorkingGroupRef[] = [];
    for (const processId of processIds) {
      const events = streams.get(streamIdOf('process', processId)) ?? [];
      for (const group of workingGroupsServing(agreementId, processId, events, time)) result.push(group);
    }
    return result;
  }
}

/** A party id as a LIKE pattern's literal text. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_LIMIT);
}
