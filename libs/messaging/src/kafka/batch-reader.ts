import type { RecordedEvent, Subscription } from '@agreements/event-store';
import type { OutgoingMessage } from '../contracts/cloud-events';
import { messageBytes } from './produce-requests';

export interface Batch {
  events: RecordedEvent[];
  messages: OutgoingMessage[];
  /** The subscription ended (closed) after this batch. */
  ended: boolean;
}

const IDLE = Symbol('idle');

/**
 * Batches from a subscription: waits for one event, then takes what is ready at once, up to
 * batchSize events or maxBytes; an event still to come (the subscription is waiting for new
 * commits) ends the batch, so a quiet store is published at once, a busy one in large batches.
 * (A batch left to grow until the send before it settled was tried: its status fold then came
 * after that send instead of during it, and on the busy 2-core machine the end-to-end p99 got worse.)
 */
export class BatchReader {
  private readonly iterator: AsyncIterator<RecordedEvent>;
  private pending: Promise<IteratorResult<RecordedEvent>> | undefined;

  constructor(
    private readonly subscription: Subscription,
    private readonly batchSize: number,
    private readonly maxBytes: number,
    private readonly toMessages: (events: RecordedEvent[]) => OutgoingMessage[],
  ) {
    this.iterator = subscription[Symbol.asyncIterator]();
  }

  async next(): Promise<Batch | undefined> {
    const first = await (this.pending ?? this.iterator.next());
    this.pending = undefined;
    if (first.done) return undefined;
    const events: RecordedEvent[] = [];
    const messages: OutgoingMessage[] = [];
    let bytes = 0;
    const add = (taken: RecordedEvent[]) => {
      const built = this.toMessages(taken);
      for (let i = 0; i < taken.length; i += 1) {
        events.push(taken[i]);
        messages.push(built[i]);
        bytes += messageBytes(built[i]);
      }
    };
    add([first.value]);
    let ended = false;
    let pending: Promise<IteratorResult<RecordedEvent>> | undefined;
    // One turn of the event loop for what is at hand: what the subscription has buffered comes in
    // microtasks, before it ends; an event it must wait for (a new commit) does not.
    const idle = new Promise<typeof IDLE>((resolve) => setImmediate(resolve, IDLE));
    while (events.length < this.batchSize && bytes < this.maxBytes) {
      if (pending === undefined) {
        // What can be taken without waiting, a slice at a time (so maxBytes is overshot by one slice at most).
        const taken = this.subscription.takeReady?.(Math.min(READY_SLICE, this.batchSize - events.length)) ?? [];
        if (taken.length > 0) {
          add(taken);
          continue;
        }
        pending = this.iterator.next();
      }
      const next = await Promise.race([pending, idle]);
      if (next === IDLE) break;
      pending = undefined;
      if (next.done) {
        ended = true;
        break;
      }
      add([next.value]);
    }
    if (!ended) this.pending = pending;
    return { events, messages, ended };
  }
}

/** Events taken from the subscription in one step when it has them at hand. */
const READY_SLICE = 256;
