import type { EventEnvelope } from '@agreements/domain';
import { tryParseBusinessTime, type BusinessTime } from '@agreements/domain';
import type { EventSource, RecordedEvent } from '@agreements/event-store';

/**
 * An event as the read models keep it (their own copy, so that asOf / knownAt answers never read
 * the event store): what the domain folds, plus where it sits in the log and its sources.
 * Structurally a domain EventEnvelope, so the domain's loadStream / applyCorrections take it as is.
 */
export interface StoredEvent extends EventEnvelope {
  eventId: string;
  type: string;
  data: Record<string, any>;
  /** Business time as written; after applyCorrections, the corrected one. */
  occurredAt: string;
  recordedAt: string;
  revision: number;
  position: string;
  sources: EventSource[];
  /** The schema version its data was stored in; the domain's folds read it in the current shape (upcasting). */
  schemaVersion: number;
}

export function toStoredEvent(recorded: RecordedEvent): StoredEvent {
  return {
    eventId: recorded.eventId,
    type: recorded.type,
    data: recorded.data,
    occurredAt: recorded.metadata.occurredAt,
    recordedAt: recorded.recordedAt,
    revision: recorded.revision,
    position: recorded.position,
    sources: recorded.metadata.sources ?? [],
    schemaVersion: recorded.metadata.schemaVersion ?? 1,
  };
}

interface ParsedTime {
  time: BusinessTime | null;
  earliestMs: number;
}

// occurredAt values repeat a lot (whole days, months): parse each text once.
const parsedTimes = new Map<string, ParsedTime>();

function parsedTime(text: string): ParsedTime {
  let parsed = parsedTimes.get(text);
  if (parsed === undefined) {
    const result = tryParseBusinessTime(text);
    parsed = result.ok ? { time: result.value, earliestMs: Date.parse(result.value.earliest) } : { time: null, earliestMs: Number.NaN };
    if (parsedTimes.size >= 50_000) parsedTimes.clear();
    parsedTimes.set(text, parsed);
  }
  return parsed;
}

export function businessTimeOf(text: string): BusinessTime | null {
  return parsedTime(text).time;
}

/**
 * When an event takes effect on the business-time axis, in epoch ms: the earliest instant of its
 * occurredAt (the domain's rule, see effectiveEvents), or when it was recorded if its business
 * time cannot be read (never written by this domain).
 */
export function takesEffectAt(event: Pick<StoredEvent, 'occurredAt' | 'recordedAt'>): number {
  const parsed = parsedTime(event.occurredAt);
  return parsed.time ? parsed.earliestMs : Date.parse(event.recordedAt);
}
