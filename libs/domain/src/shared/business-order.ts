import { tryParseBusinessTime } from './business-time';
import type { EventEnvelope } from './decider';

/**
 * Business order: the order in which a stream's facts happened, whatever order they were recorded
 * in. An event takes effect at the earliest instant of its (corrected) occurredAt; events taking
 * effect at the same instant follow the causal rank of their types (drafted before signed before
 * in force before ended), then their revision. Any recording order of the same facts thus folds
 * to the same state.
 */
export interface BusinessKey {
  /** Epoch ms at which the event takes effect. */
  at: number;
  /** Causal rank of the event's type (lower happens first on the same instant). */
  rank: number;
  /** Stream revision: the last tie-breaker (Infinity for an event not recorded yet). */
  revision: number;
}

/** A stream's causal rank of an event type; unknown types rank last. */
export type CausalRank = (type: string) => number;

// occurredAt values repeat a lot (whole days, months): parse each text once.
const effectMillis = new Map<string, number>();
const CACHE_LIMIT = 50_000;

/**
 * When an event takes effect, in epoch ms: the earliest instant of its occurredAt, or when it was
 * recorded if its business time cannot be read (never written by this domain).
 */
export function takesEffectAtMillis(event: Pick<EventEnvelope, 'occurredAt' | 'recordedAt'>): number {
  let millis = effectMillis.get(event.occurredAt);
  if (millis === undefined) {
    const parsed = tryParseBusinessTime(event.occurredAt);
    millis = parsed.ok ? Date.parse(parsed.value.earliest) : Number.NaN;
    if (effectMillis.size >= CACHE_LIMIT) effectMillis.clear();
    effectMillis.set(event.occurredAt, millis);
  }
  return Number.isNaN(millis) ? Date.parse(event.recordedAt) : millis;
}

export function businessKeyOf(event: Pick<EventEnvelope, 'occurredAt' | 'recordedAt' | 'type' | 'revision'>, rankOf: CausalRank): BusinessKey {
  return { at: takesEffectAtMillis(event), rank: rankOf(event.type), revision: event.revision };
}

export function compareBusinessKeys(a: BusinessKey, b: BusinessKey): number {
  return a.at - b.at || a.rank - b.rank || a.revision - b.revision;
}

/**
 * The events in business order. The input is left as it is; when it is already in that order (the
 * common case: facts recorded as they happened) it is answered as is, with no copy.
 */
export function inBusinessOrder<E extends EventEnvelope>(events: readonly E[], rankOf: CausalRank): readonly E[] {
  if (isInBusinessOrder(events, rankOf)) return events;
  const keyed = events.map((event) => ({ event, key: businessKeyOf(event, rankOf) }));
  keyed.sort((a, b) => compareBusinessKeys(a.key, b.key));
  return keyed.map(({ event }) => event);
}

/** True when the events are already in business order (the common case: recorded as they happened). */
export function isInBusinessOrder(events: readonly EventEnvelope[], rankOf: CausalRank): boolean {
  if (events.length < 2) return true;
  let previous = businessKeyOf(events[0], rankOf);
  for (let i = 1; i < events.length; i += 1) {
    const key = businessKeyOf(events[i], rankOf);
    if (compareBusinessKeys(previous, key) > 0) return false;
    previous = key;
  }
  return true;
}
