import type { EventStore, RecordedEvent, Subscription } from '@agreements/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { applyBatch, type BatchHooks } from './apply-batch';
import { type ReadModelLag, readModelLag } from './lag';
import { StreamCache } from './stream-cache';

/** The live projector's stream cache bounds (ProjectorOptions.cacheWeight, cacheStreams). */
const LIVE_CACHE_WEIGHT = 100_000;
const LIVE_CACHE_STREAMS = 5000;

export interface ProjectorOptions {
  /** Most events per transaction. Default 1000. */
  batchSize?: number;
  /** Behind and no progress for this long: `stuck`. Default 30 s. */
  stuckAfterMs?: number;
  /** First wait after an error; doubles up to 30 s while errors repeat. Default 500 ms. */
  retryDelayMs?: number;
  /**
   * Bound of the in-memory stream cache (about one unit per business instant of an agreement).
   * Default 100,000, some 5,000 agreements of 20 instants. A rebuild keeps its own, larger cache
   * for the time it runs.
   */
  cacheWeight?: number;
  /**
   * Most streams in that cache, whatever their weight. Default 5,000, as many as the command
   * path keeps, far more than the streams written at once: about 60 MiB of the soak's agreements
   * (docs/benchmarks.md).
   */
  cacheStreams?: number;
  /** Told about every error the projector recovers from by retrying. */
  onError?: (error: unknown) => void;
  /** Test support. */
  hooks?: BatchHooks;
}

export interface AppliedBatch {
  generation: number;
  /** Events applied by this batch (newer than the checkpoint). */
  events: number;
  /** Events of the batch found already applied. */
  skipped: number;
  checkpoint: string | undefined;
  lastRecordedAt: string | undefined;
  durationMs: number;
}

export interface ProjectorStatus extends ReadModelLag {
  /** Whether start() was called and stop() was not. */
  running: boolean;
  /** Behind, and nothing applied for longer than stuckAfterMs. */
  stuck: boolean;
  lastError: { message: string; at: string } | null;
  /** When this projector last applied a batch or found itself caught up (ISO), null before. */
  lastProgressAt: string | null;
  /** Since start. */
  eventsApplied: number;
  batchesApplied: number;
}

const IDLE = Symbol('idle');

/**
 * Follows the event store's global order from the read models' checkpoint: catches up, then
 * stays live. Each batch and its checkpoint commit in one transaction (applyBatch), so a crash
 * at any point resumes from the last commit without loss or double counting. Errors (database
 * down, a bug on one event) are retried with backoff and reported in status(); after a rebuild
 * switched generations it resubscribes from the new generation's checkpoint.
 */
export class Projector {
  private readonly batchSize: number;
  private readonly stuckAfterMs: number;
  private readonly retryDelayMs: number;
  private readonly listeners = new Set<(batch: AppliedBatch) => void>();
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private cache: StreamCache | undefined;
  private wakeRetry: (() => void) | undefined;
  private lastError: { message: string; at: string } | null = null;
  private lastProgressAt: number | undefined;
  private eventsApplied = 0;
  private batchesApplied = 0;

  constructor(
    private readonly eventStore: EventStore,
    private readonly store: ReadModelStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    this.stuckAfterMs = options.stuckAfterMs ?? 30_000;
    this.retryDelayMs = options.retryDelayMs ?? 500;
  }

  /** Starts following in the background; resolves at once. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.lastProgressAt = Date.now();
    this.loop = this.run();
  }

  /** Stops after the batch in progress (committed or not at all) and ends the subscription. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.stopping = true;
    this.wakeRetry?.();
    await this.subscription?.close();
    await this.loop;
    this.running = false;
    this.loop = undefined;
  }

  /** Listener for every applied batch; returns the unsubscribe function. */
  onApplied(listener: (batch: AppliedBatch) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async status(): Promise<ProjectorStatus> {
    const now = Date.now();
    const lag = await readModelLag(this.eventStore, this.store, { now });
    if (lag.caughtUp && this.running) this.lastProgressAt = now;
    const sinceProgress = this.lastProgressAt === undefined ? Number.POSITIVE_INFINITY : now - this.lastProgressAt;
    return {
      ...lag,
      running: this.running,
      stuck: !lag.caughtUp && sinceProgress > this.stuckAfterMs,
      lastError: this.lastError,
      lastProgressAt: this.lastProgressAt === undefined ? null : new Date(this.lastProgressAt).toISOString(),
      eventsApplied: this.eventsApplied,
      batchesApplied: this.batchesApplied,
    };
  }

  /**
   * Resolves once the read models have applied everything the event store held when it was
   * called (for tests, CLI tools and start-up); rejects after timeoutMs.
   */
  async waitUntilCaughtUp(timeoutMs = 30_000): Promise<void> {
    const head = await this.eventStore.headPosition();
    if (head === undefined) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { checkpoint } = await this.store.activeCheckpoint();
      if (checkpoint !== undefined && this.eventStore.comparePositions(checkpoint, head) >= 0) return;
      if (Date.now() > deadline) {
        throw new Error(`the read models did not reach position ${head} within ${timeoutMs} ms (at ${checkpoint ?? 'nothing'})${this.lastError ? `; last error: ${this.lastError.message}` : ''}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async run(): Promise<void> {
    let delay = this.retryDelayMs;
    while (!this.stopping) {
      try {
        await this.follow();
        delay = this.retryDelayMs;
      } catch (error) {
        if (this.stopping) break;
        this.lastError = { message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
        this.cache = undefined;
        this.options.onError?.(error);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wakeRetry = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeRetry = undefined;
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** One subscription, from the active generation's checkpoint, until stop() or a generation switch. */
  private async follow(): Promise<void> {
    const { generation, checkpoint } = await this.store.activeCheckpoint();
    if (!this.cache || this.cache.generation !== generation) {
      this.cache = new StreamCache(
        generation,
        checkpoint,
        this.options.cacheWeight ?? LIVE_CACHE_WEIGHT,
        this.options.cacheStreams ?? LIVE_CACHE_STREAMS,
      );
    }
    const cache = this.cache;
    const subscription = this.eventStore.subscribeToAll(checkpoint === undefined ? {} : { afterPosition: checkpoint });
    this.subscription = subscription;
    if (this.stopping) await subscription.close();
    const iterator = subscription[Symbol.asyncIterator]();
    try {
      let pending = iterator.next();
      for (;;) {
        const first = await pending;
        if (first.done) return;
        const batch: RecordedEvent[] = [first.value];
        pending = iterator.next();
        let ended = false;
        // Take what is ready now, up to a batch; an event still to come (the subscription is
        // waiting for new commits) ends the batch.
        while (batch.length < this.batchSize) {
          const next = await Promise.race([pending, new Promise<typeof IDLE>((resolve) => setImmediate(resolve, IDLE))]);
          if (next === IDLE) break;
          if (next.done) {
            ended = true;
            break;
          }
          batch.push(next.value);
          pending = iterator.next();
        }
        const started = Date.now();
        const outcome = await applyBatch(this.store, { generation, mode: 'live' }, batch, cache, (a, b) => this.eventStore.comparePositions(a, b), this.options.hooks);
        if (outcome.kind === 'generation-changed') {
          // A rebuild switched over: follow the new generation from its own checkpoint.
          this.cache = undefined;
          this.store.forgetActiveGeneration();
          return;
        }
        this.lastProgressAt = Date.now();
        this.lastError = null;
        this.eventsApplied += outcome.applied;
        this.batchesApplied += 1;
        const applied: AppliedBatch = {
          generation,
          events: outcome.applied,
          skipped: outcome.skipped,
          checkpoint: outcome.checkpoint,
          lastRecordedAt: outcome.lastRecordedAt,
          durationMs: Date.now() - started,
        };
        for (const listener of this.listeners) {
          try {
            listener(applied);
          } catch {
            // A listener's failure is its own business, not the projection's.
          }
        }
        if (ended) return;
      }
    } finally {
      this.subscription = undefined;
      await subscription.close();
    }
  }
}
