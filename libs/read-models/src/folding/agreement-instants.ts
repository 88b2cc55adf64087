import { type Agreement, agreementCausalRank, businessKeyOf, compareBusinessKeys, inBusinessOrder, type Provision } from '@agreements/domain';
import { applyAgreementEvent } from './domain-fold';
import { type StoredEvent, takesEffectAt } from './stored-event';

/**
 * The agreement at every business instant at which one of its events takes effect.
 *
 * The domain defines "the agreement asOf t" as the fold, in business order (when each event takes
 * effect, then the causal rank of its type, then its revision: loadStream), of the effective
 * events that took effect by t. So the answer at t is the state of the last instant at or before
 * t, and the instants are built by folding the effective events in that order.
 *
 * A projector updates a stream in constant time when the new event comes last in business order
 * (the common case: facts recorded as they happen). An event that takes effect before one already
 * folded, a correction, or one older than the instants kept in memory (only the newest `keep`
 * instants keep their full state; older ones keep the values the timeline shows and are
 * *frozen*) makes the projector refold the stream from its events instead.
 */
export interface Instant {
  /** Epoch ms: the earliest instant of the business times that take effect here. */
  at: number;
  /**
   * The agreement as of this instant (fold of the effective events with at <= this one); null
   * while it does not exist; undefined once the instant is frozen.
   */
  agreement: Agreement | null | undefined;
  /** The agreement's status at this instant (null: no agreement). */
  status: string | null;
  /** Its provisions at this instant. */
  provisions: readonly Provision[];
  /**
   * For the status ('status') and each provision ('p:<provisionId>'), the last event taking effect
   * at this instant whose application changed it: the event that opened an interval here.
   */
  changers: Readonly<Record<string, StoredEvent>>;
  /** The last event (in business order) that takes effect at this instant. */
  last: StoredEvent;
}

export type Instants = readonly Instant[];

/** How many of the newest instants keep their full state by default. */
export const DEFAULT_KEPT_INSTANTS = 16;

export const STATUS_KEY = 'status';
const PROVISION_PREFIX = 'p:';
const NO_PROVISIONS: readonly Provision[] = [];

export function provisionKey(provisionId: string): string {
  return PROVISION_PREFIX + provisionId;
}

/** A provision's de facto state on the timeline: its status and, when assessed with one, its implementation level. */
function provisionValue(provision: { status: string; level?: number }): string {
  return provision.level === undefined ? provision.status : `${provision.status}|${provision.level}`;
}

/** The keys whose value differs between two states of the agreement. */
function changedKeys(before: Agreement | null, after: Agreement | null): string[] {
  if (before === after) return [];
  const changed: string[] = [];
  if ((before?.status ?? null) !== (after?.status ?? null)) changed.push(STATUS_KEY);
  const beforeProvisions = before?.provisions ?? NO_PROVISIONS;
  const afterProvisions = after?.provisions ?? NO_PROVISIONS;
  if (beforeProvisions === afterProvisions) return changed;
  // Usually the same provisions in the same order, one of them changed: compare pairwise.
  if (beforeProvisions.length === afterProvisions.length) {
    let sameOrder = true;
    for (let i = 0; i < afterProvisions.length; i += 1) {
      const a = beforeProvisions[i];
      const b = afterProvisions[i];
      if (a.provisionId !== b.provisionId) {
        sameOrder = false;
        break;
      }
      if (a !== b && (a.status !== b.status || a.level !== b.level)) changed.push(provisionKey(b.provisionId));
    }
    if (sameOrder) return changed;
    changed.length = changed.includes(STATUS_KEY) ? 1 : 0;
  }
  const previous = new Map<string, string>();
  for (const provision of beforeProvisions) previous.set(provision.provisionId, provisionValue(provision));
  for (const provision of afterProvisions) {
    if (previous.get(provision.provisionId) !== provisionValue(provision)) changed.push(provisionKey(provision.provisionId));
    previous.delete(provision.provisionId);
  }
  // Gone (its adding was retracted in a later fold): a change too.
  for (const provisionId of previous.keys()) changed.push(provisionKey(provisionId));
  return changed;
}

function withChangers(changers: Readonly<Record<string, StoredEvent>>, keys: string[], event: StoredEvent): Readonly<Record<string, StoredEvent>> {
  if (keys.length === 0) return changers;
  const next: Record<string, StoredEvent> = { ...changers };
  for (const key of keys) next[key] = event;
  return next;
}

function instant(at: number, agreement: Agreement | null, changers: Readonly<Record<string, StoredEvent>>, last: StoredEvent): Instant {
  return { at, agreement, status: agreement?.status ?? null, provisions: agreement?.provisions ?? NO_PROVISIONS, changers, last };
}

/** Drops the full state of all but the newest `keep` instants. */
function freeze(instants: Instant[], keep: number): void {
  for (let i = instants.length - keep - 1; i >= 0; i -= 1) {
    if (instants[i].agreement === undefined) break;
    instants[i] = { ...instants[i], agreement: undefined };
  }
}

/**
 * Adds one effective event (never a correction) that comes after all the others in business order.
 * Returns a new array, or undefined when it does not (it takes effect before an event already
 * folded) or its instant is frozen: the stream must then be refolded from its events.
 */
export function addEvent(instants: Instants, event: StoredEvent, keep = DEFAULT_KEPT_INSTANTS): Instants | undefined {
  const at = takesEffectAt(event);
  const lastInstant = instants[instants.length - 1];
  if (lastInstant !== undefined && compareBusinessKeys(businessKeyOf(lastInstant.last, agreementCausalRank), businessKeyOf(event, agreementCausalRank)) > 0) {
    return undefined;
  }
  const next = instants.slice();
  if (lastInstant !== undefined && lastInstant.at === at) {
    if (lastInstant.agreement === undefined) return undefined;
    const agreement = applyAgreementEvent(lastInstant.agreement, event);
    next[next.length - 1] = instant(at, agreement, withChangers(lastInstant.changers, changedKeys(lastInstant.agreement, agreement), event), event);
  } else {
    const before = lastInstant === undefined ? null : lastInstant.agreement;
    if (before === undefined) return undefined;
    const agreement = applyAgreementEvent(before, event);
    next.push(instant(at, agreement, withChangers({}, changedKeys(before, agreement), event), event));
  }
  freeze(next, keep);
  return next;
}

/** The instants of effective events (already corrected, in any order: they are folded in business order). */
export function buildInstants(effective: readonly StoredEvent[], keep = DEFAULT_KEPT_INSTANTS): Instants {
  let instants: Instants = [];
  for (const event of inBusinessOrder(effective, agreementCausalRank)) instants = addEvent(instants, event, Number.POSITIVE_INFINITY) as Instants;
  const kept = instants.slice();
  freeze(kept, keep);
  return kept;
}

/** The agreement as of an instant (epoch ms): the last instant at or before it. Throws on a frozen instant. */
export function agreementAt(instants: Instants, atMs: number): Agreement | null {
  for (let i = instants.length - 1; i >= 0; i -= 1) {
    if (instants[i].at <= atMs) {
      const agreement = instants[i].agreement;
      if (agreement === undefined) throw new Error('that instant is frozen: build the instants keeping it');
      return agreement;
    }
  }
  return null;
}

/** The agreement with every effective event folded: the state of the last instant (never frozen). */
export function currentAgreement(instants: Instants): Agreement | null {
  return instants.length === 0 ? null : (instants[instants.length - 1].agreement ?? null);
}

export interface Interval {
  /** The value that holds over the interval (for a provision: status and level). */
  value: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive; null while it lasts. */
  to: number | null;
  /** The event that opened it. */
  event: StoredEvent;
  /** The instant it opened at. */
  opened: Instant;
}

/**
 * Intervals of one value of the agreement (read by `valueOf` at each instant), in order, without
 * gaps or overlaps while the value exists; a value that disappears (null) closes its interval.
 */
export function intervalsOf(instants: Instants, key: string, valueOf: (instant: Instant) => string | null): Interval[] {
  const intervals: Interval[] = [];
  let previous: string | null = null;
  for (const instant of instants) {
    const value = valueOf(instant);
    if (value === previous) continue;
    if (intervals.length > 0 && intervals[intervals.length - 1].to === null) intervals[intervals.length - 1].to = instant.at;
    if (value !== null) intervals.push({ value, from: instant.at, to: null, event: instant.changers[key] ?? instant.last, opened: instant });
    previous = value;
  }
  return intervals;
}

export function statusIntervals(instants: Instants): Interval[] {
  return intervalsOf(instants, STATUS_KEY, (instant) => instant.status);
}

/** Each provision's intervals (a new one when its status or level changes), provisions in the order they were first added. */
export function provisionIntervals(instants: Instants): Map<string, Interval[]> {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const instant of instants) {
    for (const provision of instant.provisions) {
      if (!seen.has(provision.provisionId)) {
        seen.add(provision.provisionId);
        ids.push(provision.provisionId);
      }
    }
  }
  const result = new Map<string, Interval[]>();
  for (const provisionId of ids) {
    result.set(
      provisionId,
      intervalsOf(instants, provisionKey(provisionId), (instant) => {
        const provision = instant.provisions.find((p) => p.provisionId === provisionId);
        // The agreement's end closes the provision's open interval (it reads `ended` until assessed again).
        return provision && provision.status !== 'ended' ? provisionValue(provision) : null;
      }),
    );
  }
  return result;
}
