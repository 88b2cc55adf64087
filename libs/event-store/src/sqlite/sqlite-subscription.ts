import { RecordedEvent, Subscription } from '../event-store.port';

export interface SqliteSubscriptionSource {
  /** Exclusive: the first event delivered is the one after it (0 = from the start). */
  afterPosition: number;
  pollIntervalMs: number;
  /** The next page of events after a position, in order; [] when there is none yet. */
  readAfter(position: number): RecordedEvent[];
  onClose(): void;
}

const DONE: IteratorResult<RecordedEvent> = { done: true, value: undefined };

/**
 * Catch-up and live are one loop: always "read the next page after the last delivered
 * position", and when that page is empty, sleep until this store commits or the poll interval
 * passes. Since the live phase reads the same table by the same position as the catch-up phase,
 * there is no hand-over in which an event committed during paging could be skipped or delivered
 * twice. Positions become visible in order (see the schema), so "after the last one I saw" is
 * complete. The poll makes commits of other processes on the same file visible too.
 *
 * Pull-based: a page is read only when the consumer asks, so a slow consumer holds at most one
 * page in memory.
 */
export class SqliteSubscription implements Subscription, AsyncIterator<RecordedEvent> {
  private buffer: RecordedEvent[] = [];
  private buffered = 0;
  private lastPosition: number;
  private closed = false;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly source: SqliteSubscriptionSource) {
    this.lastPosition = source.afterPosition;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    return this;
  }

  async next(): Promise<IteratorResult<RecordedEvent>> {
    for (;;) {
      if (this.closed) return DONE;
      if (this.buffered < this.buffer.length) return { done: false, value: this.buffer[this.buffered++] };
      // Reading and (when empty) registering the sleeper happen in one synchronous step, so a
      // commit notification cannot fall between them and be lost.
      const page = this.source.readAfter(this.lastPosition);
      if (page.length > 0) {
        this.buffer = page;
        this.buffered = 0;
        this.lastPosition = Number(page[page.length - 1].position);
        continue;
      }
      await this.sleep();
    }
  }

  /** Subscription.takeReady: from the page at hand, else a page read now (reads never wait). */
  takeReady(max: number): RecordedEvent[] {
    if (this.closed || max <= 0) return [];
    if (this.buffered >= this.buffer.length) {
      const page = this.source.readAfter(this.lastPosition);
      if (page.length === 0) return [];
      this.buffer = page;
      this.buffered = 0;
      this.lastPosition = Number(page[page.length - 1].position);
    }
    const end = Math.min(this.buffer.length, this.buffered + max);
    const taken = this.buffered === 0 && end === this.buffer.length ? this.buffer : this.buffer.slice(this.buffered, end);
    this.buffered = end;
    return taken;
  }

  /** `break` out of a for-await loop ends the subscription. */
  async return(): Promise<IteratorResult<RecordedEvent>> {
    await this.close();
    return DONE;
  }

  /** The store committed events: wake a waiting next() now rather than at the next poll. */
  notify(): void {
    for (const wake of [...this.sleepers]) wake();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.buffer = [];
    this.buffered = 0;
    this.notify();
    this.source.onClose();
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      // Not unref'd: a process whose only job is to follow the log (a projector) must stay alive.
      const timer = setTimeout(wake, this.source.pollIntervalMs);
      this.sleepers.add(wake);
    });
  }
}
