import {
  advanceState,
  agreementDecider,
  type AgreementState,
  type AgreementView,
  agreementView,
  loadStream,
  parseStreamId,
  toEventEnvelope,
} from '@agreements/domain';
import type { EventReader, Position, RecordedEvent } from '@agreements/event-store';
import { CONTENT_TYPE_HEADER, JSON_CONTENT_TYPE, type OutgoingMessage } from './cloud-events';

/**
 * The value of `agreements.status.v1`: the agreement now, with the same field values as
 * `GET /v1/agreements/{id}` (both are agreementView of the stream folded by the domain decider),
 * plus the global position of the last event folded.
 */
export interface AgreementSummary {
  id: string;
  title: string;
  kind: AgreementView['kind'];
  status: AgreementView['status'];
  /** v2: when the text was adopted without signatures, else null. */
  adoptedAt: AgreementView['adoptedAt'];
  /** True once a party rejected it, and while a dispute is open. */
  contested: boolean;
  /** v2: the open claims of parties against the recorded status (why it is contested, if a dispute). */
  disputes: AgreementView['disputes'];
  /** v2: endorsements by third bodies (never a change of status). */
  endorsements: AgreementView['endorsements'];
  /**
   * Each party's status now, a group with its members; the view's status history stays out of
   * the topic (it is on the events topic, and a summary is the state now).
   */
  parties: Array<Pick<AgreementView['parties'][number], 'id' | 'name' | 'status' | 'members'>>;
  /** With countedFrom (and from) beside a duration. */
  term: AgreementView['term'];
  /** The stream revision of the last event folded: consumers keep the summary with the highest. */
  revision: number;
  position: Position;
}

export function agreementSummary(view: AgreementView, position: Position): AgreementSummary {
  return {
    id: view.agreementId,
    title: view.title,
    kind: view.kind,
    status: view.status,
    adoptedAt: view.adoptedAt,
    contested: view.contested,
    disputes: view.disputes,
    endorsements: view.endorsements,
    parties: view.parties.map(({ id, name, status, members }) => ({ id, name, status, ...(members !== undefined ? { members } : {}) })),
    term: view.term,
    revision: view.revision,
    position,
  };
}

/** The message for the status topic; a tombstone (null value) when the agreement does not exist (its drafting was retracted). */
export function statusMessage(agreementId: string, summary: AgreementSummary | null): OutgoingMessage {
  return {
    key: agreementId,
    value: summary === null ? null : JSON.stringify(summary),
    headers: { [CONTENT_TYPE_HEADER]: JSON_CONTENT_TYPE },
  };
}

/**
 * Folds agreement streams for the status topic with the domain's loader. A small LRU cache keeps
 * the folded states, so a batch applies its own events to the cached state instead of re-reading
 * the stream; a stream is read only when it is not cached, when the cache does not end right
 * before the batch's first event of that stream (after a retried batch, a replay from an older
 * position, a gap), or when a correction makes it load again.
 */
export class AgreementStatusFolder {
  private readonly cache = new Map<string, AgreementState>();

  constructor(
    private readonly eventStore: EventReader,
    private readonly maxStreams = 5000,
  ) {}

  /**
   * One status message per agreement that the events touch, for its state after the last of
   * them. `events` are in global order, so each stream's events are consecutive revisions.
   */
  async statusMessages(events: readonly RecordedEvent[]): Promise<OutgoingMessage[]> {
    const byStream = new Map<string, { id: string; events: RecordedEvent[] }>();
    for (const event of events) {
      let entry = byStream.get(event.streamId);
      if (!entry) {
        const parsed = parseStreamId(event.streamId);
        if (parsed?.kind !== 'agreement') continue;
        entry = { id: parsed.id, events: [] };
        byStream.set(event.streamId, entry);
      }
      entry.events.push(event);
    }
    const messages: OutgoingMessage[] = [];
    for (const [streamId, { id, events: streamEvents }] of byStream) {
      const state = await this.fold(streamId, streamEvents);
      const view = agreementView(state, id);
      const last = streamEvents[streamEvents.length - 1];
      messages.push(statusMessage(id, view === null ? null : agreementSummary(view, last.position)));
    }
    return messages;
  }

  /** The summary of an agreement as its stream stands now in the store (undefined: no such stream). */
  async currentSummary(agreementId: string): Promise<{ summary: AgreementSummary | null; revision: number } | undefined> {
    const streamId = `agreement-${agreementId}`;
    const events = await this.eventStore.readStream(streamId);
    if (events.length === 0) return undefined;
    const { state } = loadStream(agreementDecider, events.map(toEventEnvelope));
    this.remember(streamId, state);
    const view = agreementView(state, agreementId);
    const last = events[events.length - 1];
    return { summary: view === null ? null : agreementSummary(view, last.position), revision: last.revision };
  }

  get size(): number {
    return this.cache.size;
  }

  clear(): void {
    this.cache.clear();
  }

  private async fold(streamId: string, events: readonly RecordedEvent[]): Promise<AgreementState> {
    const first = events[0].revision;
    let state = this.cache.get(streamId);
    if (state === undefined || state.revision >= first) state = { ...agreementDecider.initialState, streamId };
    if (state.revision < first - 1) {
      const missing = await this.eventStore.readStream(streamId, {
        fromRevision: state.revision + 1,
        maxCount: first - 1 - state.revision,
      });
      state = await this.advance(streamId, state, missing);
      if (state.revision !== first - 1) {
        throw new Error(`stream ${streamId}: expected revisions up to ${first - 1} in the store, found up to ${state.revision}`);
      }
    }
    state = await this.advance(streamId, state, events);
    this.remember(streamId, state);
    return state;
  }

  /** The state after the events that follow it; a correction among them loads the stream again, up to the last of them. */
  private async advance(streamId: string, state: AgreementState, events: readonly RecordedEvent[]): Promise<AgreementState> {
    if (events.length === 0) return state;
    const advanced = advanceState(agreementDecider, state, events.map(toEventEnvelope));
    if (advanced !== undefined) return advanced;
    const upTo = events[events.length - 1].revision;
    const recorded = await this.eventStore.readStream(streamId, { maxCount: upTo + 1 });
    return loadStream(agreementDecider, recorded.map(toEventEnvelope)).state;
  }

  private remember(streamId: string, state: AgreementState): void {
    // Map iteration order is insertion order: re-inserting makes it the most recently used.
    this.cache.delete(streamId);
    this.cache.set(streamId, state);
    while (this.cache.size > this.maxStreams) {
      const oldest = this.cache.keys().next().value as string;
      this.cache.delete(oldest);
    }
  }
}
