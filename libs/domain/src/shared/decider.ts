import type { BusinessKey, CausalRank } from './business-order';
import type { StreamKind } from './identifiers';
import { FIRST_SCHEMA_VERSION, type UpcasterChains } from './upcasting';

/** What decide returns: the application layer adds the event id and metadata when it appends. */
export interface DomainEvent<T extends string = string, D = Record<string, unknown>> {
  type: T;
  data: D;
}

/** What the store adds to a decided event. */
export interface EventMetadata {
  eventId: string;
  /** Business time as written (the event metadata's occurredAt); after a correction, the corrected one. */
  occurredAt: string;
  /** Set by the store (RFC 3339, UTC). */
  recordedAt: string;
  /** 0 for the first event of the stream. */
  revision: number;
  /** Optional: lets the decider know its own id (e.g. to refuse an agreement superseding itself). */
  streamId?: string;
  /** Set by applyCorrections: the ids of the EventCorrected events folded into this one, in order. */
  correctedBy?: string[];
  /**
   * The schema version its data was stored in (the event metadata's schemaVersion). Every reader
   * of stored events sets it; absent on envelopes made in memory from decided events, which are
   * current. Folds upcast by it (evolveRecorded).
   */
  schemaVersion?: number;
}

/** A recorded event as the loader takes it: its data as stored, not yet read as its stream's type. */
export interface EventEnvelope extends EventMetadata {
  type: string;
  data: Record<string, unknown>;
}

/** A recorded event of a stream's typed union: what evolve sees. */
export type Envelope<E extends DomainEvent> = E & EventMetadata;

/** What every stream's state carries besides its folded entity. */
export interface StreamState {
  /** Revision of the last event taken into account (corrections included); -1 when the stream has none. */
  revision: number;
  streamId?: string;
  /**
   * Set by the loader for a stream folded in business order: where the last folded event sits in
   * that order, so an event that comes before it is folded by loading the stream again.
   */
  lastEffect?: BusinessKey;
}

/**
 * A stream as loaded from its recorded events: corrections resolved once, the effective events
 * folded into the state. decide gets it whole, so rules that look at the recorded events (what a
 * correction may target) have them, and the state stays free of history.
 */
export interface LoadedStream<S, R extends EventEnvelope = EventEnvelope> {
  state: S;
  /** Revision of the last recorded event taken (within knownAt); -1 when there is none. */
  revision: number;
  /** The events as recorded (within knownAt), corrections included, in stream order. */
  recorded: readonly R[];
  /**
   * The events the state folds, in the order folded (business order for a decider with a causal
   * rank, else stream order): corrections applied (each corrected event in its
   * original place, with its corrected time and data), retracted events and the EventCorrected /
   * EventRetracted events themselves left out, and (with asOf) only those that had taken effect.
   */
  effective: readonly R[];
}

/** The event types that correct the record instead of stating a fact: the loader applies them, evolve never sees them. */
export type CorrectionEventType = 'EventCorrected' | 'EventRetracted';

/** Of a stream's event union, the events evolve folds (never a correction). */
export type FactEvent<E extends DomainEvent> = Exclude<E, { type: CorrectionEventType }>;

export interface Decider<C, E extends DomainEvent, S extends StreamState> {
  streamKind: StreamKind;
  initialState: S;
  /** The events the command produces; throws DomainError when a rule refuses it. Never reads a clock. */
  decide(command: C, stream: LoadedStream<S>): E[];
  /** Folds one effective event. Never throws: events are facts, even when later corrections make them look odd. */
  evolve(state: S, event: Envelope<FactEvent<E>>): S;
  /** How stored events of older schema versions are read in the current shape (none: every type is at version 1). */
  upcasters?: UpcasterChains;
  /**
   * When given, the stream folds in business order (see business-order.ts) ranking same-instant
   * events by this; without it, in stream order (the process stream: its rules still read the
   * latest recorded state).
   */
  causalRank?: CausalRank;
}

/** The shape of a stored event (the event-store port's RecordedEvent), kept structural so the domain imports no other lib. */
export interface StoredEventLike {
  eventId: string;
  type: string;
  streamId?: string;
  revision: number;
  data: Record<string, unknown>;
  metadata: { occurredAt: string; schemaVersion?: number };
  recordedAt: string;
}

export function toEventEnvelope(stored: StoredEventLike): EventEnvelope {
  const envelope: EventEnvelope = {
    eventId: stored.eventId,
    type: stored.type,
    data: stored.data,
    occurredAt: stored.metadata.occurredAt,
    recordedAt: stored.recordedAt,
    revision: stored.revision,
    schemaVersion: stored.metadata.schemaVersion ?? FIRST_SCHEMA_VERSION,
  };
  if (stored.streamId !== undefined) envelope.streamId = stored.streamId;
  return envelope;
}
