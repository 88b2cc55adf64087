import { businessKeyOf, compareBusinessKeys } from './business-order';
import type { Decider, DomainEvent, EventEnvelope, LoadedStream, StreamState } from './decider';
import { DomainError } from './domain-error';
import { comesLast, evolveRecorded, loadStream } from './load-stream';

/** "May this fact happen in this state?": throws the DomainError of the rule it breaks. */
export type FactCheck<S> = (state: S, fact: EventEnvelope) => void;

function refusalOf<S>(check: FactCheck<S>, state: S, fact: EventEnvelope): DomainError | undefined {
  try {
    check(state, fact);
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

function laterFactConflict(later: EventEnvelope, broken: DomainError): DomainError {
  return new DomainError(
    'LATER_FACT_CONFLICT',
    `This would make a fact already recorded impossible: ${later.type} ${later.eventId} (${later.occurredAt}) would break ${broken.code}: ${broken.message}`,
    { laterEventId: later.eventId, laterEventType: later.type, laterOccurredAt: later.occurredAt, rule: broken.code },
  );
}

/** The events a command decided, as they will sit in the stream (after every recorded event, at the command's business time). */
function pendingEnvelopes(stream: LoadedStream<unknown>, events: readonly DomainEvent[], occurredAt: string): EventEnvelope[] {
  return events.map((event, i) => ({
    eventId: `pending-${i + 1}`,
    type: event.type,
    data: event.data as Record<string, unknown>,
    occurredAt,
    recordedAt: new Date(0).toISOString(),
    revision: stream.revision + 1 + i,
  }));
}

/**
 * Judges a command's events in business time: each is checked against the stream as it stood at
 * the command's occurredAt (the effective events before it in business order), then every later
 * fact is re-checked, with the same check, in the stream with the new events inserted. A later
 * fact refused there but accepted without the insertion is the insertion's fault:
 * LATER_FACT_CONFLICT naming it. Fast path: events that come after every effective event are
 * checked against the loaded state, with no re-fold.
 */
export function judgeInBusinessTime<C, E extends DomainEvent, S extends StreamState>(
  decider: Decider<C, E, S>,
  stream: LoadedStream<S>,
  events: readonly DomainEvent[],
  occurredAt: string,
  check: FactCheck<S>,
): void {
  const pending = pendingEnvelopes(stream, events, occurredAt);
  if (pending.length === 0) return;
  if (comesLast(decider, stream.state, pending[0])) {
    let state = stream.state;
    for (const fact of pending) {
      check(state, fact);
      state = evolveRecorded(decider, state, fact);
    }
    return;
  }
  const rank = decider.causalRank ?? (() => 0);
  const firstKey = businessKeyOf(pending[0], rank);
  const split = stream.effective.findIndex((event) => compareBusinessKeys(businessKeyOf(event, rank), firstKey) > 0);
  const before = split < 0 ? stream.effective : stream.effective.slice(0, split);
  const later = split < 0 ? [] : stream.effective.slice(split);
  let without = decider.initialState;
  for (const event of before) without = evolveRecorded(decider, without, event);
  let withNew = without;
  for (const fact of pending) {
    check(withNew, fact);
    withNew = evolveRecorded(decider, withNew, fact);
  }
  for (const fact of later) {
    const broken = refusalOf(check, withNew, fact);
    if (broken && !refusalOf(check, without, fact)) throw laterFactConflict(fact, broken);
    without = evolveRecorded(decider, without, fact);
    withNew = evolveRecorded(decider, withNew, fact);
  }
}

/**
 * Judges a correction or retraction: the stream is folded again with it, and the first fact that
 * breaks a rule there but did not before is named. The corrected event itself answers with its own
 * rule (a signature moved after the end: AGREEMENT_FINAL); any other fact with LATER_FACT_CONFLICT.
 */
export function judgeCorrection<C, E extends DomainEvent, S extends StreamState>(
  decider: Decider<C, E, S>,
  stream: LoadedStream<S>,
  correction: DomainEvent,
  check: FactCheck<S>,
): void {
  const [envelope] = pendingEnvelopes(stream, [correction], new Date(0).toISOString());
  const corrected = loadStream(decider, [...stream.recorded, envelope]);
  const alreadyBroken = brokenFacts(decider, stream.effective, check);
  const targetId = String(correction.data.targetEventId);
  let state = decider.initialState;
  for (const fact of corrected.effective) {
    const broken = alreadyBroken.has(fact.eventId) ? undefined : refusalOf(check, state, fact);
    if (broken) throw fact.eventId === targetId ? broken : laterFactConflict(fact, broken);
    state = evolveRecorded(decider, state, fact);
  }
}

/** The ids of the facts that break a rule where they stand (recorded before a rule existed, or through corrections). */
function brokenFacts<C, E extends DomainEvent, S extends StreamState>(
  decider: Decider<C, E, S>,
  effective: readonly EventEnvelope[],
  check: FactCheck<S>,
): Set<string> {
  const broken = new Set<string>();
  let state = decider.initialState;
  for (const fact of effective) {
    if (refusalOf(check, state, fact)) broken.add(fact.eventId);
    state = evolveRecorded(decider, state, fact);
  }
  return broken;
}
