import { businessKeyOf, compareBusinessKeys, inBusinessOrder } from './business-order';
import { applyCorrections, EVENT_RETRACTED, isCorrectionEvent, recordedBy, takenEffectBy } from './corrections';
import type { Decider, DomainEvent, Envelope, EventEnvelope, FactEvent, LoadedStream, StreamState } from './decider';
import { upcastEnvelope } from './upcasting';

export interface LoadOptions {
  /** Business time: only the events that had taken effect by the end of the period it names. */
  asOf?: string;
  /** Only the events recorded by then (an instant, or a business time meaning the end of its period). */
  knownAt?: string;
}

/**
 * The one fold of a stream, used by the command path, the read models and the relay: the
 * recorded events (in stream order) with their corrections resolved once, then the effective
 * events folded with the decider's evolve, in business order when the decider ranks its events
 * (so any recording order of the same facts gives the same state). Cost: one pass over the
 * events, plus a sort when they were recorded out of business order.
 */
export function loadStream<C, E extends DomainEvent, S extends StreamState, R extends EventEnvelope>(
  decider: Decider<C, E, S>,
  recorded: readonly R[],
  options: LoadOptions = {},
): LoadedStream<S, R> {
  const known = options.knownAt === undefined ? recorded : recordedBy(recorded, options.knownAt);
  const corrected = applyCorrections(known);
  const taken = options.asOf === undefined ? corrected : takenEffectBy(corrected, options.asOf);
  const effective = decider.causalRank ? inBusinessOrder(taken, decider.causalRank) : taken;
  let state = decider.initialState;
  for (const event of effective) state = evolveRecorded(decider, state, event);
  state = withLastEffect(decider, state, effective[effective.length - 1]);
  const last = options.asOf === undefined ? known[known.length - 1] : lastIncluded(known, effective, options.asOf);
  return { state: last ? stamped(state, last) : state, revision: last ? last.revision : -1, recorded: known, effective };
}

/**
 * The last recorded event an asOf answer includes (past answers carry the past revision): the
 * latest of the events that had taken effect, the corrections applied to them, and the
 * retractions of events dated by then. undefined when it includes none.
 */
function lastIncluded<R extends EventEnvelope>(known: readonly R[], effective: readonly R[], asOf: string): R | undefined {
  const included = new Set<string>();
  for (const event of effective) {
    included.add(event.eventId);
    for (const correction of event.correctedBy ?? []) included.add(correction);
  }
  const retractedBy = new Map<string, R>();
  for (const event of known) if (event.type === EVENT_RETRACTED) retractedBy.set(String(event.data.targetEventId).toLowerCase(), event);
  if (retractedBy.size > 0) {
    for (const target of takenEffectBy(known.filter((event) => retractedBy.has(event.eventId.toLowerCase())), asOf)) {
      included.add((retractedBy.get(target.eventId.toLowerCase()) as R).eventId);
    }
  }
  let last: R | undefined;
  for (const event of known) if (included.has(event.eventId)) last = event;
  return last;
}

/** Records where the last folded event sits in business order (see StreamState.lastEffect). */
export function withLastEffect<C, E extends DomainEvent, S extends StreamState>(decider: Decider<C, E, S>, state: S, last: EventEnvelope | undefined): S {
  if (!decider.causalRank || last === undefined) return state;
  return { ...state, lastEffect: businessKeyOf(last, decider.causalRank) };
}

/** True when the event comes after everything the state folded, in the order the stream folds. */
export function comesLast<C, E extends DomainEvent, S extends StreamState>(decider: Decider<C, E, S>, state: S, event: EventEnvelope): boolean {
  if (!decider.causalRank || state.lastEffect === undefined) return true;
  return compareBusinessKeys(state.lastEffect, businessKeyOf(event, decider.causalRank)) < 0;
}

/**
 * A loaded stream (loaded whole: no asOf, no knownAt) with the events recorded right after it.
 * Facts are folded onto the state as they come; a correction among them, or a fact that takes
 * effect before one already folded (business order), re-derives the stream from its recorded
 * events (rare; correct beats clever).
 */
export function advanceStream<C, E extends DomainEvent, S extends StreamState, R extends EventEnvelope>(
  decider: Decider<C, E, S>,
  loaded: LoadedStream<S, R>,
  newer: readonly R[],
): LoadedStream<S, R> {
  if (newer.length === 0) return loaded;
  const recorded = [...loaded.recorded, ...newer];
  const state = advanceState(decider, loaded.state, newer);
  if (state === undefined) return loadStream(decider, recorded);
  return { state, revision: newer[newer.length - 1].revision, recorded, effective: [...loaded.effective, ...newer] };
}

/**
 * The state (of the whole stream) after the events recorded right after it, folded one by one;
 * undefined when one of them is a correction or takes effect before a fact already folded
 * (business order): the caller then loads the stream again (loadStream), as it is the only one
 * holding the recorded events.
 */
export function advanceState<C, E extends DomainEvent, S extends StreamState>(
  decider: Decider<C, E, S>,
  state: S,
  newer: readonly EventEnvelope[],
): S | undefined {
  let advanced = state;
  for (const event of newer) {
    if (isCorrectionEvent(event.type) || !comesLast(decider, advanced, event)) return undefined;
    advanced = withLastEffect(decider, evolveRecorded(decider, advanced, event), event);
  }
  return advanced;
}

/**
 * evolve of a recorded, effective event. Its data was checked against its type's schema when it
 * was decided (and a correction must keep it valid), so this is the one place where a stored
 * event is read as its stream's typed event, and every fold's choke point for upcasting: data
 * stored in an older schema version (corrections already merged into it, in the shape they were
 * stored in) is brought to the current shape first. A type this version does not know reaches
 * evolve's default case, which leaves the state as it is.
 */
export function evolveRecorded<C, E extends DomainEvent, S extends StreamState>(decider: Decider<C, E, S>, state: S, event: EventEnvelope): S {
  const current = decider.upcasters === undefined ? event : upcastEnvelope(decider.upcasters, event);
  return decider.evolve(state, current as unknown as Envelope<FactEvent<E>>);
}

/** The state answers for every recorded event, corrections included: it carries the last one's revision. */
export function stamped<S extends StreamState>(state: S, last: EventEnvelope): S {
  const streamId = last.streamId ?? state.streamId;
  if (state.revision === last.revision && state.streamId === streamId) return state;
  return streamId === undefined ? { ...state, revision: last.revision } : { ...state, revision: last.revision, streamId };
}

/** A decider that also loads its streams, as the command path takes it. */
export interface LoadingDecider<C, E extends DomainEvent, S extends StreamState> extends Decider<C, E, S> {
  /** The stream loaded from its recorded events, or `loaded` advanced by the events recorded right after it. */
  load(recorded: readonly EventEnvelope[], loaded?: LoadedStream<S>): LoadedStream<S>;
}

/** The decider with its loader attached, so the command path folds with loadStream / advanceStream like every other reader. */
export function withLoader<C, E extends DomainEvent, S extends StreamState>(decider: Decider<C, E, S>): LoadingDecider<C, E, S> {
  return {
    ...decider,
    load: (recorded, loaded) => (loaded === undefined ? loadStream(decider, recorded) : advanceStream(decider, loaded, recorded)),
  };
}
