import { type BusinessKey, businessKeyOf, compareBusinessKeys, inBusinessOrder } from './business-order';
import { applyCorrections, isCorrectionEvent } from './corrections';
import type { Decider, DomainEvent, EventEnvelope, LoadedStream, StreamState } from './decider';
import { evolveRecorded, stamped, withLastEffect } from './load-stream';

/** Every how many effective events a resumable fold keeps the state it had reached. */
const STRIDE = 16;

/**
 * A loaded stream (loaded whole, as loadStream without options) that also keeps the fold's state
 * before every STRIDE-th effective event. A fact recorded out of business order is then folded
 * from the kept state just before its place, not from the start: for a follower that meets such
 * facts all the time (the relay's status summaries), refolding whole streams was most of its work.
 */
export interface ResumableStream<S, R extends EventEnvelope = EventEnvelope> {
  /** Exactly what loadStream gives for the recorded events. */
  loaded: LoadedStream<S, R>;
  /** checkpoints[i]: the fold's state before effective[i * STRIDE], for every such index in effective. */
  checkpoints: readonly S[];
  /** The fold's state after every effective event (before lastEffect and the revision are stamped). */
  folded: S;
}

/** loadStream(decider, recorded), resumable. */
export function loadResumable<C, E extends DomainEvent, S extends StreamState, R extends EventEnvelope>(
  decider: Decider<C, E, S>,
  recorded: readonly R[],
): ResumableStream<S, R> {
  const corrected = applyCorrections(recorded);
  const effective = decider.causalRank ? inBusinessOrder(corrected, decider.causalRank) : corrected;
  return foldFrom(decider, recorded, effective, { checkpoints: [], folded: decider.initialState, length: 0 }, 0);
}

/**
 * The stream with the events recorded right after it: equal to loadResumable of all of them. A
 * correction among them refolds from the start (it may move or drop any earlier fact); facts are
 * merged into the business order and folded from the last kept state before the first of them.
 * The stream given is left as it is (cached streams are shared).
 */
export function advanceResumable<C, E extends DomainEvent, S extends StreamState, R extends EventEnvelope>(
  decider: Decider<C, E, S>,
  stream: ResumableStream<S, R>,
  newer: readonly R[],
): ResumableStream<S, R> {
  if (newer.length === 0) return stream;
  const recorded = [...stream.loaded.recorded, ...newer];
  // A fact recorded now is never the target of a correction recorded before it, so without a
  // correction among the newer events the corrected stream is the old one followed by them.
  if (newer.some((event) => isCorrectionEvent(event.type))) return loadResumable(decider, recorded);
  const old = stream.loaded.effective;
  const before = { checkpoints: stream.checkpoints, folded: stream.folded, length: old.length };
  const rank = decider.causalRank;
  if (!rank) return foldFrom(decider, recorded, [...old, ...newer], before, old.length);
  const { merged, first } = mergeInBusinessOrder(old, inBusinessOrder(newer, rank), (event) => businessKeyOf(event, rank));
  return foldFrom(decider, recorded, merged, before, first);
}

/**
 * The fold of `effective`, whose first `from` events are those of the stream folded before
 * (`before`: its checkpoints, its folded state and how many events it folded): resumed from that
 * stream's folded state when nothing before its end changed, else from its last checkpoint at or
 * before `from` (the few events between are folded again).
 */
function foldFrom<C, E extends DomainEvent, S extends StreamState, R extends EventEnvelope>(
  decider: Decider<C, E, S>,
  recorded: readonly R[],
  effective: readonly R[],
  before: { checkpoints: readonly S[]; folded: S; length: number },
  from: number,
): ResumableStream<S, R> {
  let start: number;
  let state: S;
  let checkpoints: S[];
  if (from >= before.length) {
    start = before.length;
    state = before.folded;
    checkpoints = before.checkpoints.slice();
  } else {
    const at = Math.floor(from / STRIDE);
    start = at * STRIDE;
    state = before.checkpoints[at];
    checkpoints = before.checkpoints.slice(0, at);
  }
  for (let i = start; i < effective.length; i += 1) {
    if (i % STRIDE === 0) checkpoints.push(state);
    state = evolveRecorded(decider, state, effective[i]);
  }
  const last = recorded[recorded.length - 1];
  const finished = withLastEffect(decider, state, effective[effective.length - 1]);
  return {
    loaded: { state: last ? stamped(finished, last) : finished, revision: last ? last.revision : -1, recorded, effective },
    checkpoints,
    folded: state,
  };
}

/**
 * Two lists in business order merged into one (keys never tie: they end with the revision), and
 * the index of the first element of `added` in it.
 */
function mergeInBusinessOrder<R>(old: readonly R[], added: readonly R[], keyOf: (event: R) => BusinessKey): { merged: R[]; first: number } {
  const firstKey = keyOf(added[0]);
  let first = old.length;
  while (first > 0 && compareBusinessKeys(keyOf(old[first - 1]), firstKey) > 0) first -= 1;
  const merged = old.slice(0, first);
  let i = first;
  let j = 0;
  while (i < old.length && j < added.length) {
    if (compareBusinessKeys(keyOf(old[i]), keyOf(added[j])) < 0) merged.push(old[i++]);
    else merged.push(added[j++]);
  }
  while (i < old.length) merged.push(old[i++]);
  while (j < added.length) merged.push(added[j++]);
  return { merged, first };
}
