import type { StreamKind } from './identifiers';

/** What decide returns: the application layer adds the event id and metadata when it appends. */
export interface DomainEvent<T extends string = string> {
  type: T;
  data: Record<string, unknown>;
}

/** What evolve sees: the stored event reduced to what the domain needs. */
export interface EventEnvelope {
  eventId: string;
  type: string;
  data: any;
  /** Business time as written (the event metadata's occurredAt). */
  occurredAt: string;
  /** Set by the store (RFC 3339, UTC). */
  recordedAt: string;
  /** 0 for the first event of the stream. */
  revision: number;
  /** Optional: lets the decider know its own id (e.g. to refuse an agreement superseding itself). */
  streamId?: string;
  /** Set by applyCorrections: the ids of the EventCorrected events folded into this one, in order. */
  correctedBy?: string[];
}

export interface Decider<C, S> {
  streamKind: StreamKind;
  initialState: S;
  /** The events the command produces; throws DomainError when a rule refuses it. Never reads a clock. */
  decide(command: C, state: S): DomainEvent[];
  /** Never throws: events are facts, even when later corrections make them look odd. */
  evolve(state: S, event: EventEnvelope): S;
}

export function foldEvents<C, S>(decider: Decider<C, S>, events: readonly EventEnvelope[]): S {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState);
}

/** The shape of a stored event (the event-store port's RecordedEvent), kept structural so the domain imports no other lib. */
export interface StoredEventLike {
  eventId: string;
  type: string;
  streamId?: string;
  revision: number;
  data: Record<string, unknown>;
  metadata: { occurredAt: string };
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
  };
  if (stored.streamId !== undefined) envelope.streamId = stored.streamId;
  return envelope;
}
