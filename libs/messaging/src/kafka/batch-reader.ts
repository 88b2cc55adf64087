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
 * batchSize events or maxBytes. An event still to come (the subscription is waiting for new
 * commits) ends the batch, so a quiet store is published at once, a busy one in large batches;
 * unless the caller is still busy with the batch before (`until` not settled): then the batch
 * keeps taking events as they are committed until the caller is ready for it, so an event
 * committed while a batch is in flight goes out with the next batch, not the one after it.
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

  /** `until`: the batch may grow until it settles (its outcome does not matter). */
  async next(until?: Promise<unknown>): Promise<Batch | undefined> {
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
    let callerReady = until === undefined;
    const ready = until?.then(
      (): typeof IDLE => ((callerReady = true), IDLE),
      (): typeof IDLE => ((callerReady = true), IDLE),
    );
    // One turn of the event loop for what is at hand: what the subscription has buffered comes in
    // microtasks, before it ends; an event it must wait for (a new commit) does not.
    let idle = nextTurn();
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
      let next: IteratorResult<RecordedEvent> | typeof IDLE = await Promise.race([pending, idle]);
      if (next === IDLE) {
        if (callerReady) break;
        // Nothing at hand and the caller still busy: wait for a commit or for the caller.
        next = await Promise.race([pending, ready!]);
        if (next === IDLE) break;
        idle = nextTurn();
      }
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

function nextTurn(): Promise<typeof IDLE> {
  return new Promise<typeof IDLE>((resolve) => setImmediate(resolve, IDLE));
}
