import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { upcastStoredData } from '@agreements/domain';
import type { EventStore, RecordedEvent } from '@agreements/event-store';
import { EVENT_STORE } from '@agreements/application';

/** An event as auditors see it: everything that was stored, and what later corrected it. */
export interface HistoryEvent {
  eventId: string;
  type: string;
  streamId: string;
  revision: number;
  position: string;
  /** In the event type's current shape (schemaVersion), whatever version it was stored in. */
  data: Record<string, unknown>;
  /** The schema version of `data`. */
  schemaVersion: number;
  /** The event as stored, when that was an older schema version than `data` shows (upcast on read). */
  stored?: { schemaVersion: number; data: Record<string, unknown> };
  /** As recorded: metadata.schemaVersion is the version the event was stored in. */
  metadata: {
    actor: string;
    recordedAt: string;
    occurredAt: string;
    sources: unknown[];
    unsourced: boolean;
    commandId: string;
    correlationId: string;
    causationId: string;
    schemaVersion: number;
  };
  /** Set on events that a later EventCorrected / EventRetracted in the stream targets. */
  correctedBy?: Array<{ eventId: string; type: string; revision: number; recordedAt: string }>;
}

const CORRECTION_TYPES = new Set(['EventCorrected', 'EventRetracted']);

export function toHistoryEvent(e: RecordedEvent): HistoryEvent {
  const m = e.metadata;
  const storedVersion = m.schemaVersion ?? 1;
  const current = upcastStoredData(e.type, { schemaVersion: storedVersion, data: e.data });
  return {
    eventId: e.eventId,
    type: e.type,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    data: current.data,
    schemaVersion: current.schemaVersion,
    ...(current.schemaVersion !== storedVersion ? { stored: { schemaVersion: storedVersion, data: e.data } } : {}),
    metadata: {
      actor: m.actor,
      recordedAt: e.recordedAt,
      occurredAt: m.occurredAt,
      sources: m.sources ?? [],
      unsourced: !m.sources || m.sources.length === 0,
      commandId: m.commandId,
      correlationId: m.correlationId,
      causationId: m.causationId,
      schemaVersion: m.schemaVersion,
    },
  };
}

export class ReadStreamHistoryQuery {
  constructor(readonly streamId: string, readonly fromRevision: number, readonly limit: number) {}
}
export class ReadAllHistoryQuery {
  constructor(readonly fromPosition: string | undefined, readonly limit: number, readonly type?: string) {}
}

export interface StreamHistoryPage {
  streamId: string;
  items: HistoryEvent[];
  /** Pass as fromRevision for the next page; null at the end. */
  nextRevision: number | null;
}
export interface AllHistoryPage {
  items: HistoryEvent[];
  /** Pass as fromPosition for the next page; null at the end. */
  nextPosition: string | null;
}

@QueryHandler(ReadStreamHistoryQuery)
export class ReadStreamHistoryHandler implements IQueryHandler<ReadStreamHistoryQuery, StreamHistoryPage | undefined> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(q: ReadStreamHistoryQuery): Promise<StreamHistoryPage | undefined> {
    // Streams are short; reading the whole stream lets every page show what corrects its events.
    const all = await this.store.readStream(q.streamId);
    if (all.length === 0) return undefined;
    const corrections = new Map<string, HistoryEvent['correctedBy']>();
    for (const e of all) {
      if (!CORRECTION_TYPES.has(e.type)) continue;
      const target = String(e.data.targetEventId);
      const list = corrections.get(target) ?? [];
      list.push({ eventId: e.eventId, type: e.type, revision: e.revision, recordedAt: e.recordedAt });
      corrections.set(target, list);
    }
    const slice = all.filter((e) => e.revision >= q.fromRevision).slice(0, q.limit);
    const items = slice.map((e) => {
      const h = toHistoryEvent(e);
      const by = corrections.get(e.eventId);
      return by ? { ...h, correctedBy: by } : h;
    });
    const last = slice.at(-1);
    const more = last !== undefined && last.revision < all[all.length - 1].revision;
    return { streamId: q.streamId, items, nextRevision: more ? last.revision + 1 : null };
  }
}

@QueryHandler(ReadAllHistoryQuery)
export class ReadAllHistoryHandler implements IQueryHandler<ReadAllHistoryQuery, AllHistoryPage> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute(q: ReadAllHistoryQuery): Promise<AllHistoryPage> {
    // One more than asked tells where the next page starts without doing arithmetic on an opaque position.
    const events = await this.store.readAll({
      fromPosition: q.fromPosition,
      maxCount: q.limit + 1,
      types: q.type ? [q.type] : undefined,
    });
    const items = events.slice(0, q.limit).map(toHistoryEvent);
    return { items, nextPosition: events.length > q.limit ? events[q.limit].position : null };
  }
}

export const HISTORY_HANDLERS = [ReadStreamHistoryHandler, ReadAllHistoryHandler];
