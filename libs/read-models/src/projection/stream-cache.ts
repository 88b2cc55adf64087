import type { ProcessState } from '@agreements/domain';
import type { Instants } from '../folding/agreement-instants';

interface EntryBase {
  streamId: string;
  id: string;
  /** The stream revision of the last event applied (corrections included). */
  revision: number;
}

export interface AgreementEntry extends EntryBase {
  kind: 'agreement';
  instants: Instants;
}

export interface ProcessEntry extends EntryBase {
  kind: 'process';
  state: ProcessState;
}

export type StreamEntry = AgreementEntry | ProcessEntry;

function weightOf(entry: StreamEntry): number {
  return entry.kind === 'agreement' ? 1 + entry.instants.length : 2;
}

/**
 * The projector's memory of the streams it folded, so that the next events of a stream are
 * applied to its state instead of refolding it from the stored events. Least recently used
 * streams are dropped beyond `maxWeight` (about one unit per business instant of an agreement);
 * a dropped stream is reloaded from the read model's own event copy when it shows up again, as
 * is a stream a correction makes refold (events are not kept here: they would cost far more
 * memory than the states, for the few streams a correction touches).
 *
 * Entries are immutable and only installed after the transaction that wrote them committed, so
 * the cache never holds a state the database does not.
 */
export class StreamCache {
  private readonly entries = new Map<string, StreamEntry>();
  private totalWeight = 0;
  /**
   * True while every stream that has rows in the generation is in the cache: a stream missing
   * from it is then new and needs no read. True for a generation that is empty when the cache
   * starts on it (a rebuild); false after any eviction.
   */
  complete: boolean;
  /** The generation checkpoint these entries reflect. */
  checkpoint: string | undefined;

  constructor(
    readonly generation: number,
    checkpoint: string | undefined,
    private readonly maxWeight = 500_000,
    /**
     * Most streams, whatever their weight: an agreement whose events share one business instant
     * weighs 2 however many provisions it holds (about 12 KiB each for the soak's agreements of
     * 20 provisions), so the weight alone let the live cache grow for more than an hour.
     */
    private readonly maxStreams = Number.POSITIVE_INFINITY,
  ) {
    this.checkpoint = checkpoint;
    this.complete = checkpoint === undefined;
  }

  get(streamId: string): StreamEntry | undefined {
    const entry = this.entries.get(streamId);
    if (entry !== undefined) {
      // Map iteration order is insertion order: re-inserting makes it the most recently used.
      this.entries.delete(streamId);
      this.entries.set(streamId, entry);
    }
    return entry;
  }

  /** Every entry, least recently used first. */
  all(): StreamEntry[] {
    return [...this.entries.values()];
  }

  /** True when the stream certainly has no rows yet in the generation. */
  isKnownNew(streamId: string): boolean {
    return this.complete && !this.entries.has(streamId);
  }

  install(entries: Iterable<StreamEntry>, checkpoint: string | undefined): void {
    for (const entry of entries) {
      const previous = this.entries.get(entry.streamId);
      if (previous) {
        this.totalWeight -= weightOf(previous);
        this.entries.delete(entry.streamId);
      }
      this.entries.set(entry.streamId, entry);
      this.totalWeight += weightOf(entry);
    }
    this.checkpoint = checkpoint;
    for (const [streamId, entry] of this.entries) {
      if (this.totalWeight <= this.maxWeight && this.entries.size <= this.maxStreams) break;
      this.entries.delete(streamId);
      this.totalWeight -= weightOf(entry);
      this.complete = false;
    }
  }

  /** Forget everything: the database moved on without this cache (another projector, a rebuild). */
  reset(checkpoint: string | undefined): void {
    this.entries.clear();
    this.totalWeight = 0;
    this.checkpoint = checkpoint;
    this.complete = checkpoint === undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
