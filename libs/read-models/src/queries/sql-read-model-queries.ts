import { instantMillis, streamIdOf } from '@agreements/domain';
import type { AgreementFilter, Page, PageRequest, ReadModelQueries, TimeQuery, View } from '../read-model.port';
import type { ReadModelStore } from '../store/read-model-store';
import type { GenerationTables } from '../store/schema';
import { type Db, placeholders } from '../store/sql';
import { readStream, readStreamEvents } from '../store/stream-events';
import { decodeCursor, encodeCursor } from './cursor';
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
      const workingGroups = await this.currentWorkingGroups(
        db,
        tables,
        pageRows.map((row) => row.agreement_id),
      );
      return {
        items: pageRows.map((row) => ({
          ...JSON.parse(row.view),
          workingGroups: workingGroups.get(row.agreement_id) ?? [],
          asOf: null,
          knownAt: null,
        })),
        nextCursor: rows.length > limit ? encodeCursor('agreements', pageRows[pageRows.length - 1].agreement_id) : null,
      };
    });
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

function checkLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_LIMIT);
}
