import {
  advanceResumable,
  agreementDecider,
  type AgreementState,
  agreementView,
  type EventEnvelope,
  loadResumable,
  parseStreamId,
  type ResumableStream,
  toEventEnvelope,
} from '@agreements/domain';
import type { EventReader, RecordedEvent } from '@agreements/event-store';
import type { OutgoingMessage } from './cloud-events';
import { agreementSummary, statusMessage, type AgreementSummary } from './agreement-summary';

/** A stream folded so far: its recorded events (for a refold without reading the store) and kept fold states. */
type Cached = ResumableStream<AgreementState, EventEnvelope>;

export interface StatusFolderLimits {
  /** Agreements kept folded between batches. */
  maxStreams?: number;
  /** Events kept, all streams together, so that a fact recorded out of business order refolds from memory. */
  maxEvents?: number;
}

/**
 * Folds agreement streams for the status topic with the domain's loader. An LRU cache keeps the
 * folded states and their events, so a batch applies its own events to the cached state instead
 * of re-reading the stream. When an event cannot simply follow, the stream is folded again from
 * memory: a fact dated before one already folded from the fold's state kept just before its place
 * (domain resumable-fold.ts), a correction from the start; a
 * stream is read from the store only when it is not cached or its cache does not end right
 * before the batch's first event of that stream (after a retried batch, a replay from an older
 * position, a gap). Recording facts out of business order is the normal case (v2), and
 * re-reading whole streams for it was most of the relay's status work.
 */
export class AgreementStatusFolder {
  private readonly cache = new Map<string, Cached>();
  private cachedEvents = 0;
  private readonly maxStreams: number;
  private readonly maxEvents: number;

  constructor(
    private readonly eventStore: EventReader,
    limits: StatusFolderLimits | number = {},
  ) {
    const given = typeof limits === 'number' ? { maxStreams: limits } : limits;
    this.maxStreams = given.maxStreams ?? 5000;
    this.maxEvents = given.maxEvents ?? 250_000;
  }

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
    const recorded = await this.eventStore.readStream(streamId);
    if (recorded.length === 0) return undefined;
    const events = recorded.map(toEventEnvelope);
    const folded = loadResumable(agreementDecider, events);
    const { state } = folded.loaded;
    this.remember(streamId, folded);
    const view = agreementView(state, agreementId);
    const last = recorded[recorded.length - 1];
    return { summary: view === null ? null : agreementSummary(view, last.position), revision: last.revision };
  }

  get size(): number {
    return this.cache.size;
  }

  clear(): void {
    this.cache.clear();
    this.cachedEvents = 0;
  }

  private async fold(streamId: string, batch: readonly RecordedEvent[]): Promise<AgreementState> {
    const first = batch[0].revision;
    let cached = this.take(streamId);
    if (cached === undefined || cached.loaded.revision >= first) cached = loadResumable(agreementDecider, []);
    if (cached.loaded.revision < first - 1) {
      const missing = await this.eventStore.readStream(streamId, {
        fromRevision: cached.loaded.revision + 1,
        maxCount: first - 1 - cached.loaded.revision,
      });
      cached = advanceResumable(agreementDecider, cached, missing.map(toEventEnvelope));
      if (cached.loaded.revision !== first - 1) {
        throw new Error(`stream ${streamId}: expected revisions up to ${first - 1} in the store, found up to ${cached.loaded.revision}`);
      }
    }
    cached = advanceResumable(agreementDecider, cached, batch.map(toEventEnvelope));
    this.remember(streamId, cached);
    return cached.loaded.state;
  }

  /** Removes the stream's entry (it is put back, as the most recently used, by remember). */
  private take(streamId: string): Cached | undefined {
    const cached = this.cache.get(streamId);
    if (cached !== undefined) {
      this.cache.delete(streamId);
      this.cachedEvents -= cached.loaded.recorded.length;
    }
    return cached;
  }

  private remember(streamId: string, cached: Cached): void {
    this.take(streamId);
    // Map iteration order is insertion order: re-inserting makes it the most recently used.
    this.cache.set(streamId, cached);
    this.cachedEvents += cached.loaded.recorded.length;
    while (this.cache.size > this.maxStreams || (this.cachedEvents > this.maxEvents && this.cache.size > 1)) {
      this.take(this.cache.keys().next().value as string);
    }
  }
}
