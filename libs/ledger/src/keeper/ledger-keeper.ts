import type { EventStore } from '@agreements/event-store';
import type { LedgerStore, StoredLeaf } from '../store/ledger-store.port';
import { type LogBatches, logBatches } from './log-batches';

/** What the ledger service needs of a keeper, wherever it runs (this thread, or a worker thread). */
export interface KeeperHandle {
  start(): void;
  /** Appends everything stored so far. */
  catchUp(): Promise<number>;
  stop(): Promise<void>;
}

export interface LedgerKeeperOptions {
  /** Events read and appended per transaction of the ledger. */
  batchSize?: number;
  /** How often a caught-up keeper looks for new events. */
  pollIntervalMs?: number;
  onError?: (err: unknown) => void;
}

const MAX_BACKOFF_MS = 5000;

/**
 * Follows the event store's global log and appends one leaf per event to the tree, resuming
 * after the last leaf's position (the tree is its own checkpoint: leaves and checkpoint commit
 * in one transaction). Polls when caught up, like the projector's thread.
 */
export class LedgerKeeper implements KeeperHandle {
  private readonly batches: LogBatches;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  /** Serialises catch-ups: the loop and an explicit catchUp() never append the same events twice. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    eventStore: Pick<EventStore, 'readAll' | 'fastLog'>,
    private readonly ledger: LedgerStore,
    private readonly options: LedgerKeeperOptions = {},
  ) {
    this.batches = logBatches(eventStore);
    this.batchSize = options.batchSize ?? 2000;
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
  }

  /** Appends everything stored so far; returns how many leaves it added. */
  catchUp(): Promise<number> {
    const run = this.queue.then(() => this.drain());
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async drain(): Promise<number> {
    let added = 0;
    for (;;) {
      const events = await this.batches.after(this.ledger.lastPosition(), this.batchSize);
      if (events.length === 0) return added;
      const leaves = new Array<Omit<StoredLeaf, 'index'>>(events.length);
      for (let i = 0; i < events.length; i += 1) leaves[i] = { eventId: events.eventId(i), position: events.position(i), leafHash: events.leafHash(i) };
      this.ledger.appendLeaves(leaves);
      added += events.length;
      if (this.stopping) return added;
    }
  }

  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    let backoff = this.pollIntervalMs;
    while (!this.stopping) {
      try {
        await this.catchUp();
        backoff = this.pollIntervalMs;
      } catch (err) {
        this.options.onError?.(err);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** The tree's size and the position of its last leaf. */
  status(): { treeSize: number; lastPosition: string | undefined } {
    return { treeSize: this.ledger.size(), lastPosition: this.ledger.lastPosition() };
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    await this.queue;
    await this.batches.close();
  }
}
