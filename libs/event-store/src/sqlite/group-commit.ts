import { jsonInCanonicalOrder } from '../canonical-json';
import type { AppendOptions, AppendResult, EventToAppend } from '../event-store.port';
import { type AppendRequest, type BatchWriter, Failure } from './batch-writer';

/** Counters for metrics and for tests that prove appends are grouped into few transactions. */
export interface SqliteEventStoreStats {
  /** Write transactions committed (one fsync each). */
  transactions: number;
  /** Append requests that succeeded. */
  appends: number;
  /** Events committed. */
  events: number;
}

interface PendingAppend extends AppendRequest {
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit: every append request that arrives before the next turn of the event loop is
 * written in one transaction, hence one fsync. An fsync costs milliseconds while the inserts cost
 * microseconds, so batching is what turns a few hundred durable appends per second into tens of
 * thousands. One refused request (revision conflict, duplicate event id, known command) leaves the
 * others of its batch untouched, and callers are answered only after COMMIT returns, so nothing is
 * acknowledged that could still be lost.
 */
export class GroupCommit {
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly stats_: SqliteEventStoreStats = { transactions: 0, appends: 0, events: 0 };

  constructor(
    private readonly writer: BatchWriter,
    private readonly options: {
      /** Most append requests committed in one transaction, so a burst never blocks the loop for long. */
      maxBatchSize: number;
      /** False once the file is closed: nothing more is written. */
      isOpen: () => boolean;
      /** Events were committed (subscriptions wake up). */
      onCommitted: () => void;
    },
  ) {}

  append(streamId: string, events: EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    let request: AppendRequest;
    try {
      request = validateAppend(streamId, events, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      const pending = request as PendingAppend;
      pending.resolve = resolve;
      pending.reject = reject;
      this.queue.push(pending);
      this.scheduleFlush();
    });
  }

  stats(): SqliteEventStoreStats {
    return { ...this.stats_ };
  }

  /** Commits everything queued now (the store is closing). */
  drain(): void {
    while (this.queue.length > 0) this.flushOneBatch();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate rather than a microtask: it runs after the current poll phase, so requests
    // that arrive together (several HTTP requests read in one poll, or callers that await a read
    // before appending) land in the same batch instead of committing one by one.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushOneBatch();
      if (this.queue.length > 0) this.scheduleFlush();
    });
  }

  private flushOneBatch(): void {
    if (this.queue.length === 0 || !this.options.isOpen()) return;
    const max = this.options.maxBatchSize;
    const batch = this.queue.length <= max ? this.queue : this.queue.slice(0, max);
    this.queue = this.queue.length <= max ? [] : this.queue.slice(max);
    this.commitBatch(batch);
  }

  private commitBatch(batch: PendingAppend[]): void {
    let outcomes;
    try {
      outcomes = this.writer.write(batch);
    } catch (error) {
      // Nothing of the batch is stored, so every caller hears about it.
      for (const request of batch) request.reject(error);
      return;
    }
    let committedEvents = 0;
    for (let i = 0; i < batch.length; i += 1) {
      const outcome = outcomes[i];
      if (outcome instanceof Failure) {
        batch[i].reject(outcome.error);
      } else {
        committedEvents += outcome.events.length;
        this.stats_.appends += 1;
        batch[i].resolve(outcome);
      }
    }
    this.stats_.transactions += 1;
    this.stats_.events += committedEvents;
    if (committedEvents > 0) this.options.onCommitted();
  }
}

function validateAppend(streamId: string, events: EventToAppend[], options: AppendOptions): AppendRequest {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new Error('streamId must be a non-empty string');
  if (!Array.isArray(events) || events.length === 0) {
    throw new Error(`append to ${streamId}: at least one event is required`);
  }
  const expected = options?.expectedRevision;
  const expectedIsValid =
    expected === 'any' ||
    expected === 'no_stream' ||
    expected === 'stream_exists' ||
    (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= -1);
  if (!expectedIsValid) throw new Error(`append to ${streamId}: invalid expectedRevision ${String(expected)}`);
  const encoded = events.map((event) => {
    if (!event || typeof event.eventId !== 'string' || event.eventId.length === 0) {
      throw new Error(`append to ${streamId}: every event needs an eventId`);
    }
    if (typeof event.type !== 'string' || event.type.length === 0) {
      throw new Error(`append to ${streamId}: event ${event.eventId} needs a type`);
    }
    // In canonical member order: the ledger then hashes the stored texts without parsing them.
    return { data: jsonInCanonicalOrder(event.data ?? {}), metadata: jsonInCanonicalOrder(event.metadata ?? {}) };
  });
  return { streamId, events, encoded, expectedRevision: expected, command: options.command };
}
